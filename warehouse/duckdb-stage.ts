/**
 * How the embedded warehouse stages a local file: a TEMP view over it, so the
 * rows are read once, by the statement that uses them, and never copied into
 * the database (time and memory a full copy would cost).
 */
import { duckdbString } from '../shared/duckdb-quote.ts';
import type { BigQueryField } from '../shared/schema/index.ts';
import { duckdbTypeOf } from './tables.ts';

/** The reader of a Parquet file, its own columns only (no hive columns from folder names). */
export function parquetReaderSql(path: string): string {
  return `read_parquet(${duckdbString(path)}, hive_partitioning = false)`;
}

/**
 * A view with the staged columns over a Parquet file with columns `present`:
 * absent columns are NULL (a hive folder may supply them), the others CAST to
 * the staged types. The caller checks the file's column types first
 * (pipelines/batch/parquet-layout.ts), so the casts change no value; one that
 * could not be cast would fail the statement reading the view, never turn NULL.
 */
export function parquetViewSql(
  path: string,
  view: string,
  fields: readonly BigQueryField[],
  present: ReadonlySet<string>,
): string {
  const cols = fields.map((f) => {
    const type = duckdbTypeOf(f);
    return present.has(f.name) ? `CAST(${f.name} AS ${type}) AS ${f.name}` : `CAST(NULL AS ${type}) AS ${f.name}`;
  });
  return `CREATE OR REPLACE TEMP VIEW ${view} AS SELECT ${cols.join(', ')} FROM ${parquetReaderSql(path)}`;
}

/** A view over a CSV file with a header row and the staged columns in order, typed as those columns. */
export function csvViewSql(path: string, view: string, fields: readonly BigQueryField[]): string {
  const columns = fields.map((f) => `${duckdbString(f.name)}: ${duckdbString(duckdbTypeOf(f))}`).join(', ');
  return `CREATE OR REPLACE TEMP VIEW ${view} AS SELECT * FROM read_csv(${duckdbString(path)}, header = true, columns = {${columns}})`;
}
