/**
 * Commit one staged file: in ONE transaction, valid rows → bronze_sales, new
 * transaction_ids → silver_sales (MERGE: ids already in silver, or repeated in
 * the file, are counted as duplicates and not inserted), invalid rows →
 * quarantine_sales with file, line and reasons, and the file's load_log row. A
 * crash before COMMIT leaves no trace; after it, the file is loaded and logged
 * together. Files over the error-rate limit (or with a bad layout) are not
 * loaded at all: only their load_log row (status rejected, with the reason) is
 * written.
 */
import { formatPercent } from './format-rate.ts';
import { currentTimestampSql, mergeIntoSilverSql, transactionScript, type Warehouse } from '../../warehouse/index.ts';
import { COLUMN_NAMES, type SalesDomains } from '../../shared/schema/index.ts';
import { crashPoint } from './crash.ts';
import { type LoadStatus, logRowSql } from './load-log.ts';
import { dropStaging, type StagedFile } from './stage.ts';
import { filledStaging, rawRowExpression, reasonsExpression, validPredicate } from './validation-sql.ts';

export interface FileOutcome {
  key: string;
  uri: string;
  status: LoadStatus;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  rowsDuplicate: number;
  /** Why the file was rejected. */
  error?: string;
  /** True when a previous run had already loaded (or rejected) this version of the file. */
  alreadyDone: boolean;
  /** What happened to the source file afterwards (set by the dispose step). */
  disposition?: string;
  seconds: number;
}

export interface CommitOptions {
  /** Largest share of invalid rows a file may have and still load (0..1). */
  maxErrorRate: number;
  domains?: SalesDomains;
}

export async function commitFile(w: Warehouse, staged: StagedFile, opts: CommitOptions): Promise<FileOutcome> {
  const { file } = staged;
  const base = { key: file.key, uri: file.uri, seconds: 0 };
  if (staged.prior) {
    return {
      ...base,
      status: staged.prior.status,
      rowsRead: 0,
      rowsLoaded: 0,
      rowsRejected: 0,
      rowsDuplicate: 0,
      alreadyDone: true,
    };
  }
  const entry = {
    file: file.uri,
    attempt: staged.attempt,
    sizeBytes: file.size,
    checksum: file.checksum,
    startedAt: staged.startedAt,
  };
  const reject = async (error: string, counts = { rowsRead: 0, rowsRejected: 0 }): Promise<FileOutcome> => {
    const log = logRowSql(w, { ...entry, ...counts, rowsLoaded: 0, rowsDuplicate: 0, status: 'rejected', error });
    await w.run(log.sql, { params: log.params });
    await dropStaging(w, staged);
    return { ...base, ...counts, status: 'rejected', rowsLoaded: 0, rowsDuplicate: 0, error, alreadyDone: false };
  };
  if (staged.layoutError !== undefined || !staged.rowsTable || !staged.rejectsTable) {
    return reject(staged.layoutError ?? 'nothing was staged');
  }

  const filled = filledStaging(w.ref(staged.rowsTable), file.partitionValues);
  const valid = validPredicate(opts.domains, w.dialect);
  const params = { ...filled.params, file: file.uri };
  // Counts first (also what the error-rate decision needs); one writer per warehouse is assumed.
  const { rows } = await w.query(
    `SELECT COUNT(*) AS staged,
  COALESCE(SUM(CASE WHEN f.ok THEN 1 ELSE 0 END), 0) AS valid,
  COUNT(DISTINCT CASE WHEN f.ok AND t.transaction_id IS NULL THEN f.transaction_id END) AS new_ids
FROM (SELECT transaction_id, ${valid} AS ok FROM ${filled.sql}) f
LEFT JOIN ${w.ref('silver_sales')} t ON t.transaction_id = f.transaction_id`,
    { params },
  );
  const stagedRows = Number(rows[0].staged);
  const validRows = Number(rows[0].valid);
  const newIds = Number(rows[0].new_ids);
  const rowsRead = stagedRows + staged.rejectedInProcess;
  const rowsRejected = rowsRead - validRows;
  if (rowsRead === 0) return reject('no data rows (the file has only a header, or is empty)');
  const rate = rowsRejected / rowsRead;
  if (rate > opts.maxErrorRate) {
    return reject(
      `${rowsRejected} of ${rowsRead} rows are invalid (${formatPercent(rate)}), above --max-error-rate ${formatPercent(opts.maxErrorRate)}: file not loaded`,
      { rowsRead, rowsRejected },
    );
  }

  const status: LoadStatus = rowsRejected > 0 ? 'partial' : 'loaded';
  const rowsDuplicate = validRows - newIds;
  const log = logRowSql(w, { ...entry, rowsRead, rowsLoaded: newIds, rowsRejected, rowsDuplicate, status });
  const now = currentTimestampSql(w.dialect);
  const cols = COLUMN_NAMES.join(', ');
  const validSource = `(SELECT ${cols}, @file AS _source_file, _line, _seq FROM ${filled.sql} WHERE ${valid})`;
  await w.run(
    transactionScript(w.dialect, [
      `INSERT INTO ${w.ref('bronze_sales')} (${cols}, _source_file, _line, _ingested_at)
SELECT ${cols}, @file, _line, ${now} FROM ${filled.sql} WHERE ${valid}`,
      `INSERT INTO ${w.ref('quarantine_sales')} (raw_row, _source_file, _line, reasons, _ingested_at)
SELECT COALESCE(raw_row, ''), @file, _line, COALESCE(reasons, 'invalid row'), ${now} FROM ${w.ref(staged.rejectsTable)}`,
      `INSERT INTO ${w.ref('quarantine_sales')} (raw_row, _source_file, _line, reasons, _ingested_at)
SELECT ${rawRowExpression()}, @file, _line, ${reasonsExpression(opts.domains, w.dialect)}, ${now} FROM ${filled.sql} WHERE NOT (${valid})`,
      mergeIntoSilverSql(w.dialect, (n) => w.ref(n), validSource, {
        orderBy: '_seq, _line, customer_id',
        sourceFile: true,
      }),
      log.sql,
    ]),
    { params: { ...params, ...log.params } },
  );
  crashPoint('after-commit');
  await dropStaging(w, staged);
  return { ...base, status, rowsRead, rowsLoaded: newIds, rowsRejected, rowsDuplicate, alreadyDone: false };
}
