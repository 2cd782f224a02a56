/**
 * The load log of the file loaders (pipeline batch, pipeline dims): one row
 * per file and finished attempt. It is written in the same transaction as the
 * file's data, so "logged as loaded" and "rows present" can never disagree,
 * and it is what makes re-runs safe: a file whose (name, checksum) already has
 * a final row is never loaded again, only disposed of (archived, deleted or
 * moved to rejected/) if a crash interrupted that. Where the file went is
 * recorded (`moved_to`) after it is copied there and before its source is
 * deleted, so a crash in between leaves the source for a re-run to record.
 */
import type { ParamValue, Params, Warehouse } from './warehouse.ts';

/** How an attempt ended: loaded (every row valid), partial (some rows quarantined), rejected (nothing loaded). */
export type LoadStatus = 'loaded' | 'partial' | 'rejected';

export interface PriorLoad {
  status: LoadStatus;
  attempt: number;
}

export interface LoadLog {
  /** The final row for this version of the file, if one exists. */
  prior(file: string, checksum: string): PriorLoad | undefined;
  /** Attempt number for a new attempt at this file. */
  nextAttempt(file: string): number;
}

/** Read the log once per run (one row per finished attempt: small). */
export async function readLoadLog(w: Warehouse): Promise<LoadLog> {
  const { rows } = await w.query(
    `SELECT file, checksum, status, attempt FROM ${w.ref('load_log')} WHERE status IN ('loaded', 'partial', 'rejected')`,
  );
  const byVersion = new Map<string, PriorLoad>();
  const attempts = new Map<string, number>();
  for (const r of rows) {
    const file = String(r.file);
    byVersion.set(`${file}\u0000${r.checksum}`, { status: r.status as LoadStatus, attempt: Number(r.attempt) });
    attempts.set(file, Math.max(attempts.get(file) ?? 0, Number(r.attempt)));
  }
  return {
    prior: (file, checksum) => byVersion.get(`${file}\u0000${checksum}`),
    nextAttempt: (file) => (attempts.get(file) ?? 0) + 1,
  };
}

export interface LogEntry {
  file: string;
  attempt: number;
  sizeBytes: number;
  checksum: string;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  rowsDuplicate: number;
  status: LoadStatus;
  startedAt: Date;
  error?: string;
}

/**
 * INSERT of one load_log row, with its parameters (named `<prefix>file`,
 * `<prefix>read`, …; the prefix keeps several rows apart in one script).
 */
export function logRowSql(w: Warehouse, e: LogEntry, prefix: string): { sql: string; params: Params } {
  const p = (name: string) => `@${prefix}${name}`;
  const sql = `INSERT INTO ${w.ref('load_log')}
  (file, attempt, size_bytes, checksum, rows_read, rows_loaded, rows_rejected, rows_duplicate, status, started_at, finished_at, error)
VALUES (${['file', 'attempt', 'size', 'checksum', 'read', 'loaded', 'rejected', 'duplicate', 'status', 'started'].map(p).join(', ')},
  ${w.sql.now()}, ${p('error')})`;
  const values: Params = {
    file: e.file,
    attempt: e.attempt,
    size: e.sizeBytes,
    checksum: e.checksum,
    read: e.rowsRead,
    loaded: e.rowsLoaded,
    rejected: e.rowsRejected,
    duplicate: e.rowsDuplicate,
    status: e.status,
    started: { type: 'TIMESTAMP', value: e.startedAt.toISOString() },
    error: { type: 'STRING', value: e.error ?? null },
  };
  return { sql, params: Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k}`, v])) };
}

/** Where one logged attempt's file went (an archive or rejected-area URI). */
export interface MovedTo {
  file: string;
  attempt: number;
  movedTo: string;
}

/** Record `moved_to` for the attempts given, in one statement. */
export async function recordMovedTo(w: Warehouse, moves: readonly MovedTo[]): Promise<void> {
  if (moves.length === 0) return;
  const params: Record<string, ParamValue> = {};
  const matches = moves.map((m, i) => {
    params[`m${i}_file`] = m.file;
    params[`m${i}_attempt`] = m.attempt;
    params[`m${i}_to`] = m.movedTo;
    return `(file = @m${i}_file AND attempt = @m${i}_attempt)`;
  });
  const cases = matches.map((match, i) => `WHEN ${match} THEN @m${i}_to`).join(' ');
  await w.run(`UPDATE ${w.ref('load_log')} SET moved_to = CASE ${cases} END WHERE ${matches.join(' OR ')}`, {
    params,
  });
}
