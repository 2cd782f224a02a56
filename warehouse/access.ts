/**
 * What a warehouse handle lets SQL do. Analysts' SQL (salesflow query, a
 * dashboard) runs confined: one statement at a time, of a kind the handle
 * allows, and never one that reaches outside the warehouse — files, other
 * databases, settings, extensions, scripts. Each dialect names the statement
 * (DuckDB's parser, BigQuery's dry run); this module decides.
 */
import { type ErrorContext, EXIT_USAGE, SalesflowError } from '../shared/errors.ts';

/**
 * - `read`: SELECT-like statements only (the default of `openWarehouse`).
 * - `write`: also statements that change the warehouse's own tables and views.
 * - `pipeline`: the loaders' handle — scripts, loads from files, staging tables.
 */
export type WarehouseAccess = 'read' | 'write' | 'pipeline';

/** What a statement does: reads the warehouse, changes it, or reaches outside it. */
export type StatementKind = 'read' | 'write' | 'outside';

/** A statement the handle does not run (exit 2: refused). */
export class RefusedStatementError extends SalesflowError {
  /** True when the statement would run on a handle that allows writes. */
  readonly needsWrite: boolean;
  constructor(message: string, needsWrite: boolean, context: ErrorContext = {}) {
    super(message, { code: 'REFUSED', retry: 'terminal', context, exitCode: EXIT_USAGE });
    this.needsWrite = needsWrite;
  }
}

export interface StatementInfo {
  /** How many statements the SQL holds. */
  count: number;
  /** The (first) statement's kind and its name in the dialect (`DELETE`, `CREATE_TABLE`, `COPY`…). */
  kind: StatementKind;
  label: string;
}

/** Refuse what `access` does not allow; `pipeline` handles run anything. */
export function checkStatement(access: WarehouseAccess, s: StatementInfo, context: ErrorContext = {}): void {
  if (access === 'pipeline') return;
  if (s.count > 1) {
    throw new RefusedStatementError(`one statement at a time, please (this SQL holds ${s.count})`, false, context);
  }
  if (s.kind === 'outside') {
    throw new RefusedStatementError(
      `${s.label} statements are not run here: queries stay inside the warehouse (no files, other databases, settings, extensions or scripts)`,
      false,
      context,
    );
  }
  if (s.kind === 'write' && access === 'read') {
    throw new RefusedStatementError(
      `the warehouse is open read-only: a ${s.label} statement would change it`,
      true,
      context,
    );
  }
}

/** Refuse a write operation (ensure, insert, load) on a read handle. */
export function checkWritable(access: WarehouseAccess, what: string, context: ErrorContext = {}): void {
  if (access === 'read') {
    throw new RefusedStatementError(`the warehouse is open read-only: cannot ${what}`, true, context);
  }
}

/** BigQuery's dry-run `statementType` → kind. Anything not listed reaches outside or is a script. */
export function bigqueryStatementKind(statementType: string): StatementKind {
  if (statementType === 'SELECT') return 'read';
  return BIGQUERY_WRITES.has(statementType) ? 'write' : 'outside';
}

const BIGQUERY_WRITES = new Set([
  'INSERT',
  'UPDATE',
  'DELETE',
  'MERGE',
  'TRUNCATE_TABLE',
  'CREATE_TABLE',
  'CREATE_TABLE_AS_SELECT',
  'CREATE_VIEW',
  'DROP_TABLE',
  'DROP_VIEW',
  'ALTER_TABLE',
  'ALTER_VIEW',
]);
