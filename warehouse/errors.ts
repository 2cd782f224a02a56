/** Warehouse errors: the SQL or request was refused (terminal) vs. try again (transient). */
import { EXIT_USAGE, type ErrorContext, QueryError, SalesflowError, TransientError } from '../shared/errors.ts';
import { TABLE_NAMES } from './tables.ts';
import { VIEW_NAMES } from './views.ts';

const WAREHOUSE_OBJECTS = [...TABLE_NAMES, ...VIEW_NAMES];

/** An analyst handle on a warehouse that does not exist (nothing is created for a read). */
export class WarehouseNotFoundError extends SalesflowError {
  constructor(target: string) {
    super(`no warehouse at ${target.replace(/^duckdb:/, '')}: nothing has been loaded into it yet`, {
      code: 'NO_WAREHOUSE',
      retry: 'terminal',
      context: { object: target },
      exitCode: EXIT_USAGE,
    });
  }
}

/** Another process holds the warehouse (DuckDB allows one writer per file): retrying later can help. */
export class WarehouseLockedError extends TransientError {
  constructor(target: string, holder: { program: string; pid: number } | undefined, cause: unknown) {
    const who = holder ? ` (PID ${holder.pid}, ${holder.program})` : '';
    super(
      `warehouse ${target.replace(/^duckdb:/, '')} is in use by another process${who}: DuckDB lets one process open a database file for writing at a time; try again when it has finished`,
      { object: target, step: 'open', ...(holder ? { pid: holder.pid } : {}) },
      cause,
    );
  }
}

/** The table or view a dialect's "does not exist" / "Not found" message names. */
function missingObjectName(message: string): string | undefined {
  const m =
    /(?:Table|View|Table Function) with name "?([\w.$]+?)"? does not exist/i.exec(message) ??
    /Not found: (?:Table|View) [\w.:-]*?\.([\w$]+)(?: was not found|\b)/i.exec(message);
  return m?.[1];
}

/**
 * The table or view a query failed on because it does not exist, or undefined:
 * DuckDB says `Table with name X does not exist`, BigQuery `Not found: Table
 * project:dataset.X`. Lets a reader say "the table is missing" instead of
 * showing an error.
 */
export function missingTableOf(err: unknown): string | undefined {
  if (err instanceof SalesflowError && typeof err.context.table === 'string') return err.context.table;
  return missingObjectName(err instanceof Error ? err.message : String(err));
}

/**
 * "Table with name X does not exist" for one of the warehouse's own tables or
 * views, as a message that names it and says how it comes back (a read never
 * re-creates it). Undefined for any other error.
 */
export function missingObjectError(message: string, context: ErrorContext, cause: unknown): QueryError | undefined {
  const name = missingObjectName(message);
  if (!name || !(WAREHOUSE_OBJECTS as readonly string[]).includes(name)) return undefined;
  return new QueryError(
    `the warehouse has no table or view ${name} (dropped, or never created): a query never creates tables; \`salesflow pipeline batch\` creates them in a new warehouse and re-creates the views`,
    { ...context, table: name },
    cause,
  );
}

/**
 * A DuckDB warehouse path holding something else (a CSV, a Parquet file, a
 * folder): refused before DuckDB opens it, so it is never overwritten, turned
 * into a database, or silently replaced by an in-memory one.
 */
export class NotADuckDBDatabaseError extends SalesflowError {
  constructor(path: string, what: 'foreign' | 'folder') {
    const why = what === 'folder' ? 'a folder' : 'no DuckDB header; the file is left as it is';
    super(`not a DuckDB database: ${path} (${why}): --warehouse duckdb:PATH takes a DuckDB file or a new path`, {
      code: 'NOT_DUCKDB',
      retry: 'terminal',
      context: { warehouse: `duckdb:${path}` },
      exitCode: EXIT_USAGE,
    });
  }
}
