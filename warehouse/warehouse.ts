/**
 * The warehouse interface: one small surface the pipelines load through and
 * analysts query through, with an embedded DuckDB implementation (default) and a
 * BigQuery one. Both expose the same tables and views under the same names, and
 * both return rows in one normalized form (see `Cell`), so callers and tests can
 * compare results across dialects.
 */
import type { BigQueryField } from '../shared/schema/index.ts';
import type { WarehouseAccess } from './access.ts';
import { takeCommitLockSql } from './commit-lock.ts';
import type { MinuteSelection, StreamCommitRequest, StreamCommitResult } from './stream.ts';
import type { TableName } from './tables.ts';

export type Dialect = 'duckdb' | 'bigquery';

/** BigQuery type names are the common vocabulary for params and result fields. */
export type FieldType = 'STRING' | 'INT64' | 'NUMERIC' | 'FLOAT64' | 'BOOL' | 'DATE' | 'TIMESTAMP';

/**
 * A named query parameter. Plain values infer their type (string → STRING,
 * integer number/bigint → INT64, other number → FLOAT64, boolean → BOOL); give
 * `{ type, value }` for DATE, NUMERIC and TIMESTAMP (value as text).
 */
export type ParamValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | { type: FieldType; value: string | number | bigint | boolean | null };
export type Params = Readonly<Record<string, ParamValue>>;

/**
 * A result value, normalized across dialects: STRING/DATE (`YYYY-MM-DD`) as
 * strings, INT64 as a number (a string beyond 2^53), NUMERIC as an exact decimal
 * string with at least two fraction digits, FLOAT64 as a number, BOOL as a
 * boolean, TIMESTAMP as ISO-8601 UTC with microseconds.
 */
export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

export interface ResultField {
  name: string;
  type: FieldType;
}

export interface QueryOptions {
  /** Named parameters, referenced as `@name` in the SQL on both dialects. */
  params?: Params;
  /** Rows per page for `queryPages` (default 10,000). */
  pageSize?: number;
}

export interface QueryResult {
  fields: ResultField[];
  rows: Row[];
}

export interface RunResult {
  /** Rows inserted/updated/deleted by the last DML statement, when known. */
  affectedRows: number;
}

export type LoadFormat = 'PARQUET' | 'NEWLINE_DELIMITED_JSON' | 'CSV';

export interface LoadOptions {
  format: LoadFormat;
  /** append (default) or replace the table's rows. */
  write?: 'append' | 'truncate';
}

export interface LoadResult {
  /** Rows the load added to the table. */
  rows: number;
  /** The BigQuery job id, for the load log. */
  jobId?: string;
}

export interface InsertRow {
  /** De-duplication key (BigQuery insertId: best effort, within a short window). */
  insertId?: string;
  row: Record<string, unknown>;
}

export interface RowError {
  /** Index into the rows given to insertRows. */
  index: number;
  insertId?: string;
  reasons: string[];
}

export interface InsertResult {
  /** Rows accepted (duplicates by insertId count as accepted, not inserted twice). */
  inserted: number;
  /** Rows rejected with their reasons; the other rows still land. */
  errors: RowError[];
}

/**
 * The pieces of SQL that differ per dialect, for statements callers write
 * themselves (the batch pipeline's validation and commit, the dimension
 * loads): callers compose with these and never branch on the dialect.
 */
export interface WarehouseSql {
  /** The current time as a TIMESTAMP (UTC). */
  now(): string;
  /** Statements as one transaction script: all of them take effect, or none. */
  transaction(statements: readonly string[]): string;
  /** TRUE when the STRING expression `text` contains a match of the regular expression `pattern` (an expression too). */
  regexpContains(text: string, pattern: string): string;
  /** A string literal holding `text` exactly (DuckDB doubles quotes, BigQuery escapes with backslashes). */
  string(text: string): string;
}

/**
 * A file to stage: where it is, and how to get a local copy of its bytes when
 * the warehouse does not read it where it is.
 */
export interface StageSource {
  /** A local path, or a gs:// URI. */
  uri: string;
  /**
   * A local copy of the same bytes (e.g. a verified snapshot), called only when
   * the warehouse does not read `uri` in place; without it, `uri` must be local.
   */
  localCopy?: () => Promise<string>;
}

export interface StageFileOptions {
  /**
   * PARQUET: the file's columns by name, absent ones NULL. CSV: a header row,
   * then the columns of `fields` in order. NEWLINE_DELIMITED_JSON: objects keyed by column.
   */
  format: LoadFormat;
  /** The staged columns. */
  fields: readonly BigQueryField[];
}

export interface Warehouse {
  readonly dialect: Dialect;
  /** SQL pieces of this dialect, for statements written by callers. */
  readonly sql: WarehouseSql;
  /** `duckdb:/path/file.duckdb` or `bigquery:project.dataset`. */
  readonly target: string;
  /**
   * What SQL given to query/queryPages/run may do (see access.ts): on `read` and
   * `write` handles one statement, never reaching files, other databases,
   * settings or extensions; `read` refuses changes, ensure, inserts and loads.
   */
  readonly access: WarehouseAccess;
  /**
   * How SQL for this dialect names a table or view: `bronze_sales` on DuckDB,
   * `` `project.dataset.bronze_sales` `` on BigQuery. Unqualified names also work in
   * queries on both (BigQuery gets the dataset as default), but not inside views.
   */
  ref(name: TableName | string): string;
  /** Create the dataset/schema, tables and views if missing; safe to call repeatedly. */
  ensure(): Promise<void>;
  /**
   * `--no-create`: check that the dataset (file), every table with the columns
   * the code needs, and every view exist, creating nothing; a WarehouseNotReadyError
   * (exit 2) names what is missing. For a warehouse someone else provisions (Terraform).
   */
  check(): Promise<void>;
  /** Run a query and return every row. */
  query(sql: string, opts?: QueryOptions): Promise<QueryResult>;
  /** Run a query and yield its rows a page at a time (DuckDB streams, BigQuery pages). */
  queryPages(sql: string, opts?: QueryOptions): AsyncIterable<QueryResult>;
  /**
   * Run statements: DDL, DML, or a multi-statement script (DuckDB `BEGIN; …; COMMIT;`,
   * BigQuery `BEGIN TRANSACTION; …; COMMIT TRANSACTION;` — see `transaction()`).
   */
  run(sql: string, opts?: QueryOptions): Promise<RunResult>;
  /**
   * Create a table with these columns (e.g. a staging table for a load: see
   * `stagingFields()`); with `replace`, an existing one is dropped first.
   * `scratch`: a working table nobody else reads (staging) — DuckDB makes it a
   * TEMP table, kept off the database file and gone with the connection;
   * BigQuery makes a regular table (drop it when done).
   */
  createTable(name: string, fields: readonly BigQueryField[], opts?: CreateTableOptions): Promise<void>;
  /** Drop a table, or what stageFile staged under that name, if it exists. */
  dropTable(name: string): Promise<void>;
  /** Load a local file or gs:// object into a table in one load job (all rows or none). */
  load(source: string, table: string, opts: LoadOptions): Promise<LoadResult>;
  /**
   * Make a file's rows readable in SQL as `name` (a working table or view
   * nobody else reads), replacing what was staged under that name, in the
   * cheapest way the warehouse has: DuckDB a TEMP view over the local file (no
   * copy of the rows: the file must stay until the name is dropped); BigQuery a
   * table filled by a load job, reading a gs:// object in place (the source's
   * `localCopy` is then never called). A file the warehouse cannot read as
   * `format` fails with a terminal LoadError or QueryError. Drop it with dropTable.
   */
  stageFile(source: StageSource, name: string, opts: StageFileOptions): Promise<void>;
  /** Streaming-style insert with insertIds; invalid rows are reported, valid ones land. */
  insertRows(table: string, rows: readonly InsertRow[]): Promise<InsertResult>;
  /**
   * Commit one micro-batch of a stream (see stream.ts): bronze, silver and
   * quarantine in one transaction, idempotent per message id and transaction_id,
   * so a redelivered batch adds nothing. Resolves once durable.
   */
  commitStreamBatch(req: StreamCommitRequest): Promise<StreamCommitResult>;
  /** Recompute gold_sales_per_minute for these minutes from silver (upsert); resolves to the rows changed. */
  refreshMinuteTotals(selection: MinuteSelection): Promise<number>;
  close(): Promise<void>;
}

export interface CreateTableOptions {
  replace?: boolean;
  scratch?: boolean;
}

/**
 * Wrap statements in this dialect's transaction script syntax: all take effect
 * or none. The first statement takes the commit lock (commit-lock.ts), so
 * writing transactions of several processes on one BigQuery dataset take effect
 * one at a time, each seeing everything committed before it (a concurrent one
 * aborts, and BigQueryWarehouse runs it again).
 */
export function transactionScript(dialect: Dialect, statements: readonly string[]): string {
  const body = [takeCommitLockSql(dialect), ...statements].map((s) => `${s.trim().replace(/;$/, '')};`).join('\n');
  return dialect === 'bigquery'
    ? `BEGIN TRANSACTION;\n${body}\nCOMMIT TRANSACTION;`
    : `BEGIN TRANSACTION;\n${body}\nCOMMIT;`;
}
