/** Warehouse errors: the SQL or request was refused (terminal) vs. try again (transient). */
import { EXIT_FAILURE, EXIT_USAGE, type ErrorContext, SalesflowError, TransientError } from '../shared/errors.ts';
import { TABLE_NAMES } from './tables.ts';
import { VIEW_NAMES } from './views.ts';

const WAREHOUSE_OBJECTS = [...TABLE_NAMES, ...VIEW_NAMES];

/** The warehouse rejected a statement (syntax, unknown table, type error, constraint). */
export class QueryError extends SalesflowError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super(message, { code: 'QUERY', retry: 'terminal', context, cause, exitCode: EXIT_USAGE });
  }
}

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

/** A load or insert failed for a reason in the data or the request. */
export class LoadError extends SalesflowError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super(message, { code: 'LOAD', retry: 'terminal', context, cause, exitCode: EXIT_FAILURE });
  }
}

/** BigQuery error reasons worth a retry. */
const TRANSIENT_REASONS = new Set(['backendError', 'rateLimitExceeded', 'internalError', 'jobRateLimitExceeded']);

/**
 * BigQuery aborted a transaction (or a DML statement) because another writer
 * changed a table it changes: "Transaction is aborted due to concurrent update
 * against table …", "Could not serialize access to table … due to concurrent
 * update". It had no effect; running it again is safe.
 */
export function isTransactionConflict(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /due to concurrent update/i.test(message);
}

/** Map an error from the BigQuery client to a typed error (transient for 429/5xx and aborted transactions). */
export function fromBigQueryError(err: unknown, context: ErrorContext, kind: 'query' | 'load' = 'query'): Error {
  // Already typed (e.g. a nested call's error): its retryability stands.
  if (err instanceof SalesflowError) return err;
  const e = err as { code?: number | string; message?: string; errors?: { reason?: string; message?: string }[] };
  const message = e?.message ?? String(err);
  const status = typeof e?.code === 'number' ? e.code : undefined;
  const reasons = (e?.errors ?? []).map((x) => x.reason ?? '');
  if (
    (status !== undefined && (status === 429 || status >= 500)) ||
    reasons.some((r) => TRANSIENT_REASONS.has(r)) ||
    ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN'].includes(String(e?.code)) ||
    isTransactionConflict(err)
  ) {
    return new TransientError(message, context, err);
  }
  return kind === 'query' ? new QueryError(message, context, err) : new LoadError(message, context, err);
}
