/**
 * Statements the batch/streaming loaders run, emitted per dialect so callers
 * never hand-write dialect differences.
 */
import { COLUMN_NAMES } from '../shared/schema/index.ts';
import type { Dialect, WarehouseSql } from './warehouse.ts';

/**
 * MERGE rows from a staging table into silver_sales, skipping transaction_ids
 * already in silver and keeping one row per transaction_id from staging (the
 * first by `_line`, when staging has it), so re-running a load never duplicates.
 * Staging must have the sales columns; `_source_file` is copied when present.
 */
export function mergeIntoSilverSql(
  sql: WarehouseSql,
  ref: (name: string) => string,
  staging: string,
  opts: { orderBy?: string; sourceFile?: boolean } = {},
): string {
  const cols = [...COLUMN_NAMES];
  const insertCols = [...cols, ...(opts.sourceFile ? ['_source_file'] : []), '_loaded_at'];
  const values = [...cols.map((c) => `S.${c}`), ...(opts.sourceFile ? ['S._source_file'] : []), sql.now()];
  const order = opts.orderBy ?? 'transaction_id';
  // MERGE INTO: DuckDB needs the INTO, BigQuery takes it.
  return `MERGE INTO ${ref('silver_sales')} T
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

/** A dimension table's key and columns, as the schema module defines them. */
export interface DimensionShape {
  table: string;
  key: string;
  columns: readonly { name: string }[];
}

const changedSql = (d: DimensionShape) =>
  d.columns
    .filter((c) => c.name !== d.key)
    .map((c) => `T.${c.name} IS DISTINCT FROM S.${c.name}`)
    .join(' OR ');

/**
 * Upsert a staged dimension snapshot: new keys are inserted, keys whose values
 * changed are updated (with the file they now come from), identical rows are
 * left alone — so loading the same rows again changes nothing. `@<fileParam>`
 * names the source file.
 */
export function mergeDimensionSql(
  sql: WarehouseSql,
  ref: (name: string) => string,
  d: DimensionShape,
  staging: string,
  fileParam: string,
): string {
  const cols = d.columns.map((c) => c.name);
  const now = sql.now();
  return `MERGE INTO ${ref(d.table)} T
USING ${staging} S
ON T.${d.key} = S.${d.key}
WHEN MATCHED AND (${changedSql(d)}) THEN
  UPDATE SET ${[...cols.filter((c) => c !== d.key).map((c) => `${c} = S.${c}`), `_source_file = @${fileParam}`, `_loaded_at = ${now}`].join(', ')}
WHEN NOT MATCHED THEN
  INSERT (${[...cols, '_source_file', '_loaded_at'].join(', ')})
  VALUES (${[...cols.map((c) => `S.${c}`), `@${fileParam}`, now].join(', ')})`;
}

/** How a staged snapshot compares with the table: `inserted` new keys, `updated` changed rows, `unchanged` the rest. */
export function dimensionChangesSql(ref: (name: string) => string, d: DimensionShape, staging: string): string {
  return `SELECT
  CAST(COALESCE(SUM(CASE WHEN T.${d.key} IS NULL THEN 1 ELSE 0 END), 0) AS INT64) AS inserted,
  CAST(COALESCE(SUM(CASE WHEN T.${d.key} IS NOT NULL AND (${changedSql(d)}) THEN 1 ELSE 0 END), 0) AS INT64) AS updated,
  CAST(COUNT(*) AS INT64) AS staged
FROM ${staging} S
LEFT JOIN ${ref(d.table)} T ON T.${d.key} = S.${d.key}`;
}
