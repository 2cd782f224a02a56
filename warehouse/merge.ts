/**
 * Statements the batch/streaming loaders run, emitted per dialect so callers
 * never hand-write dialect differences.
 */
import { COLUMN_NAMES } from '../shared/schema/index.ts';
import type { Dialect } from './warehouse.ts';

/**
 * MERGE rows from a staging table into silver_sales, skipping transaction_ids
 * already in silver and keeping one row per transaction_id from staging (the
 * first by `_line`, when staging has it), so re-running a load never duplicates.
 * Staging must have the sales columns; `_source_file` is copied when present.
 */
export function mergeIntoSilverSql(
  dialect: Dialect,
  ref: (name: string) => string,
  staging: string,
  opts: { orderBy?: string; sourceFile?: boolean } = {},
): string {
  const cols = [...COLUMN_NAMES];
  const insertCols = [...cols, ...(opts.sourceFile ? ['_source_file'] : []), '_loaded_at'];
  const values = [
    ...cols.map((c) => `S.${c}`),
    ...(opts.sourceFile ? ['S._source_file'] : []),
    currentTimestampSql(dialect),
  ];
  const order = opts.orderBy ?? 'transaction_id';
  const into = dialect === 'duckdb' ? 'MERGE INTO' : 'MERGE';
  return `${into} ${ref('silver_sales')} T
USING (
  SELECT * FROM ${staging}
  WHERE transaction_id IS NOT NULL
  QUALIFY ROW_NUMBER() OVER (PARTITION BY transaction_id ORDER BY ${order}) = 1
) S
ON T.transaction_id = S.transaction_id
WHEN NOT MATCHED THEN
  INSERT (${insertCols.join(', ')})
  VALUES (${values.join(', ')})`;
}

/** The current time as a TIMESTAMP (UTC) in each dialect. */
export function currentTimestampSql(dialect: Dialect): string {
  return dialect === 'bigquery' ? 'CURRENT_TIMESTAMP()' : 'CAST(get_current_timestamp() AS TIMESTAMP)';
}
