/**
 * The load log: one row per file and attempt, written with DML (not streaming
 * inserts — BigQuery cannot UPDATE rows still in the streaming buffer), so an
 * attempt is inserted as `started` and updated when it ends. A crashed attempt
 * stays `started` with no finished_at: visible, never mistaken for a load.
 */
import { currentTimestampSql } from './merge.ts';
import type { Warehouse } from './warehouse.ts';

export type LoadStatus = 'started' | 'loaded' | 'partial' | 'failed';

export interface LoadLogEntry {
  file: string;
  attempt: number;
  size_bytes: number | null;
  checksum: string | null;
  rows_read: number | null;
  rows_loaded: number | null;
  rows_rejected: number | null;
  rows_duplicate: number | null;
  status: LoadStatus;
  started_at: string;
  finished_at: string | null;
  error: string | null;
}

export interface LoadOutcome {
  status: Exclude<LoadStatus, 'started'>;
  rowsRead?: number;
  rowsLoaded?: number;
  rowsRejected?: number;
  rowsDuplicate?: number;
  error?: string;
}

const int = (n: number | undefined) => (n === undefined ? null : { type: 'INT64' as const, value: String(n) });

/** Record the start of a new attempt for `file`; returns its attempt number (1, 2, …). */
export async function startLoadAttempt(
  w: Warehouse,
  file: string,
  info: { sizeBytes?: number; checksum?: string } = {},
): Promise<number> {
  const prev = await w.query('SELECT MAX(attempt) AS last FROM load_log WHERE file = @file', { params: { file } });
  const attempt = Number(prev.rows[0]?.last ?? 0) + 1;
  await w.run(
    `INSERT INTO ${w.ref('load_log')} (file, attempt, size_bytes, checksum, status, started_at)
     VALUES (@file, @attempt, @size, @checksum, 'started', ${currentTimestampSql(w.dialect)})`,
    {
      params: {
        file,
        attempt,
        size: int(info.sizeBytes) ?? { type: 'INT64', value: null },
        checksum: info.checksum ?? null,
      },
    },
  );
  return attempt;
}

/** Record how an attempt ended. */
export async function finishLoadAttempt(
  w: Warehouse,
  file: string,
  attempt: number,
  outcome: LoadOutcome,
): Promise<void> {
  const nullInt = { type: 'INT64' as const, value: null };
  await w.run(
    `UPDATE ${w.ref('load_log')}
     SET status = @status, rows_read = @read, rows_loaded = @loaded, rows_rejected = @rejected,
         rows_duplicate = @duplicate, error = @error, finished_at = ${currentTimestampSql(w.dialect)}
     WHERE file = @file AND attempt = @attempt`,
    {
      params: {
        file,
        attempt,
        status: outcome.status,
        read: int(outcome.rowsRead) ?? nullInt,
        loaded: int(outcome.rowsLoaded) ?? nullInt,
        rejected: int(outcome.rowsRejected) ?? nullInt,
        duplicate: int(outcome.rowsDuplicate) ?? nullInt,
        error: outcome.error ?? null,
      },
    },
  );
}

/** Every attempt for a file (or all files), oldest first. */
export async function readLoadLog(w: Warehouse, file?: string): Promise<LoadLogEntry[]> {
  const r = await w.query(
    `SELECT file, attempt, size_bytes, checksum, rows_read, rows_loaded, rows_rejected, rows_duplicate,
            status, started_at, finished_at, error
     FROM load_log ${file === undefined ? '' : 'WHERE file = @file'} ORDER BY file, attempt`,
    { params: file === undefined ? {} : { file } },
  );
  return r.rows as unknown as LoadLogEntry[];
}

/**
 * The finished attempt that already loaded this exact file version (same
 * checksum), if any — so a re-run can skip it instead of loading it twice.
 */
export async function completedLoad(w: Warehouse, file: string, checksum: string): Promise<LoadLogEntry | undefined> {
  const all = await readLoadLog(w, file);
  return all.find((e) => e.checksum === checksum && (e.status === 'loaded' || e.status === 'partial'));
}
