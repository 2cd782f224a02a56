/**
 * The medallion tables, defined once (columns in BigQuery terms, derived from the
 * sales schema): DuckDB DDL from them, BigQuery tables through the API. Same names everywhere.
 */
import {
  type BigQueryField,
  CUSTOMERS_SCHEMA,
  type DimensionSchema,
  dimensionBigQueryFields,
  PRODUCTS_SCHEMA,
  salesBigQuerySchema,
} from '../shared/schema/index.ts';
import type { FieldType } from './warehouse.ts';

export const TABLE_NAMES = [
  'bronze_sales',
  'silver_sales',
  'quarantine_sales',
  'load_log',
  'dim_customers',
  'dim_products',
  'quarantine_dims',
  'gold_sales_per_minute',
  'stream_stage',
  'commit_lock',
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export interface TableDef {
  name: string;
  description: string;
  fields: BigQueryField[];
  /** DATE column the BigQuery table is partitioned on (by day). */
  partitionBy?: string;
  clusterBy?: string[];
  /**
   * A working table of the pipelines (what they stage, how they serialize their
   * transactions), not a record of the data: missing, it is simply created,
   * never taken as a sign that rows were lost.
   */
  working?: boolean;
}

const field = (name: string, type: FieldType, mode: 'REQUIRED' | 'NULLABLE', description: string): BigQueryField => ({
  name,
  type,
  mode,
  description,
});

const nullable = (fields: BigQueryField[]): BigQueryField[] => fields.map((f) => ({ ...f, mode: 'NULLABLE' }));

/** What a quarantine table keeps of a rejected row. */
const quarantineFields: BigQueryField[] = [
  field('raw_row', 'STRING', 'REQUIRED', 'The row as read (CSV line or JSON text).'),
  field('_source_file', 'STRING', 'REQUIRED', 'File the row was read from.'),
  field('_line', 'INT64', 'NULLABLE', 'Line or row number in the source file.'),
  field('reasons', 'STRING', 'REQUIRED', 'Why the row was rejected (field: reason; …).'),
  field('_ingested_at', 'TIMESTAMP', 'REQUIRED', 'When the row was quarantined.'),
  field(
    '_file_rejected',
    'BOOL',
    'NULLABLE',
    'True when the whole file was rejected (too many invalid rows): none of its rows loaded, the file is in the rejected area.',
  ),
];

/** A dimension table: the schema module's columns, one row per key, and where the row was last loaded from. */
const dimensionTable = (s: DimensionSchema, description: string): TableDef => ({
  name: s.table,
  description,
  fields: [
    ...dimensionBigQueryFields(s),
    field('_source_file', 'STRING', 'NULLABLE', 'File the current version of the row was loaded from.'),
    field('_loaded_at', 'TIMESTAMP', 'NULLABLE', 'When the current version of the row was loaded.'),
  ],
});

export const TABLES: readonly TableDef[] = [
  {
    name: 'bronze_sales',
    description: 'Sales rows as landed, with where they came from (file, line) and when.',
    fields: [
      ...nullable(salesBigQuerySchema()),
      field('_source_file', 'STRING', 'REQUIRED', 'File (path or gs:// URI) the row was read from.'),
      field('_line', 'INT64', 'NULLABLE', 'Line (CSV/NDJSON) or row number (Parquet) in the source file.'),
      field('_ingested_at', 'TIMESTAMP', 'REQUIRED', 'When the row landed.'),
      ...streamFields(),
    ],
    partitionBy: 'transaction_date',
    clusterBy: ['sales_region', 'product_category'],
  },
  {
    name: 'silver_sales',
    description: 'Validated, typed sales, one row per transaction_id.',
    fields: [
      ...salesBigQuerySchema(),
      field('_source_file', 'STRING', 'NULLABLE', 'File the row was first loaded from.'),
      field('_loaded_at', 'TIMESTAMP', 'NULLABLE', 'When the row entered silver.'),
      field('_message_id', 'STRING', 'NULLABLE', 'Pub/Sub message the row came from (NULL for files).'),
      field('_event_time', 'TIMESTAMP', 'NULLABLE', 'When the sale happened, from the event (NULL for files).'),
    ],
    partitionBy: 'transaction_date',
    clusterBy: ['sales_region', 'product_category'],
  },
  {
    name: 'quarantine_sales',
    description: 'Rows that failed validation: the raw row, where it came from and why.',
    fields: [
      ...quarantineFields,
      ...messageFields(),
      field('_attributes', 'STRING', 'NULLABLE', 'The message attributes as a JSON object.'),
      field(
        '_payload_encoding',
        'STRING',
        'NULLABLE',
        'base64 when the message data was not UTF-8 (raw_row then holds it base64-encoded); NULL for text.',
      ),
    ],
  },
  {
    name: 'load_log',
    description: 'One row per file and load attempt: what was read, loaded, rejected, and how it ended.',
    fields: [
      field('file', 'STRING', 'REQUIRED', 'Source file (path or gs:// URI).'),
      field('attempt', 'INT64', 'REQUIRED', 'Attempt number for this file, from 1.'),
      field('size_bytes', 'INT64', 'NULLABLE', 'File size.'),
      field('checksum', 'STRING', 'NULLABLE', 'Content checksum (e.g. sha256 or crc32c) identifying the file version.'),
      field('rows_read', 'INT64', 'NULLABLE', 'Rows read from the file.'),
      field('rows_loaded', 'INT64', 'NULLABLE', 'Rows that entered silver.'),
      field('rows_rejected', 'INT64', 'NULLABLE', 'Rows sent to quarantine.'),
      field('rows_duplicate', 'INT64', 'NULLABLE', 'Rows skipped as already present (same transaction_id).'),
      field('status', 'STRING', 'REQUIRED', 'loaded | partial (some rows quarantined) | rejected (nothing loaded).'),
      field('started_at', 'TIMESTAMP', 'REQUIRED', 'When the attempt started.'),
      field('finished_at', 'TIMESTAMP', 'NULLABLE', 'When it ended.'),
      field('error', 'STRING', 'NULLABLE', 'Why the file was rejected.'),
      field(
        'moved_to',
        'STRING',
        'NULLABLE',
        'Where the file was archived or moved to (rejected area), a versioned name when its own held other bytes; NULL: kept or deleted.',
      ),
    ],
  },
  dimensionTable(
    CUSTOMERS_SCHEMA,
    'Customers (from customers.csv): name, e-mail, city and home region per customer_id.',
  ),
  dimensionTable(PRODUCTS_SCHEMA, 'Products (from products.csv): name, category and list price per product_id.'),
  {
    name: 'quarantine_dims',
    description: 'Dimension rows that failed validation: which dimension, the raw row, where it came from and why.',
    fields: [field('dimension', 'STRING', 'REQUIRED', 'customers | products.'), ...quarantineFields],
  },
  {
    name: 'gold_sales_per_minute',
    description:
      'Per minute of event time and region: transactions and total sales of the streamed events in silver, ' +
      "upserted as the stream's windows fire (recomputed from silver, so exact and de-duplicated).",
    fields: [
      field('window_start', 'TIMESTAMP', 'REQUIRED', 'Start of the minute (event time, UTC).'),
      field('sales_region', 'STRING', 'REQUIRED', 'Sales region.'),
      field('transactions', 'INT64', 'REQUIRED', 'Sales in silver with an event time in the minute.'),
      field('total_sales', 'NUMERIC', 'REQUIRED', 'Their total sale_amount.'),
      field('updated_at', 'TIMESTAMP', 'REQUIRED', 'When the row was last recomputed.'),
    ],
    clusterBy: ['sales_region'],
  },
  {
    name: 'stream_stage',
    description:
      'Working table of pipeline stream: each micro-batch lands here under its batch id (through the Storage Write API ' +
      'on BigQuery), then one transaction moves it into bronze, silver and quarantine and deletes it. Rows older than ' +
      'an hour were left by a consumer that crashed in between; the next commit deletes them.',
    fields: streamStageFields(),
    clusterBy: ['_batch_id'],
    working: true,
  },
  {
    name: 'commit_lock',
    description:
      'One row every writing transaction (stream commits, gold refreshes, batch commits) updates first: BigQuery runs ' +
      'transactions that update the same table one at a time (a concurrent one aborts and is retried), so two ' +
      'consumers can never both insert the same transaction_id.',
    fields: [
      field('name', 'STRING', 'REQUIRED', 'The lock (one row, `warehouse`).'),
      field('commits', 'INT64', 'REQUIRED', 'Transactions that took it.'),
      field('updated_at', 'TIMESTAMP', 'REQUIRED', 'When it was last taken.'),
    ],
    working: true,
  },
];

/** The tables that hold records (not working tables). */
export const DATA_TABLE_NAMES: readonly TableName[] = TABLE_NAMES.filter((n) => !tableDef(n)?.working);

/**
 * A stream micro-batch as staged: which batch, its order, whether the message
 * is a valid sale, the sale's columns, the message's id and times, and for a
 * reject the payload, reasons and attributes.
 */
function streamStageFields(): BigQueryField[] {
  return [
    field('_batch_id', 'STRING', 'REQUIRED', 'The micro-batch (writer id and sequence number).'),
    field('_seq', 'INT64', 'REQUIRED', 'Position of the message in its micro-batch.'),
    field('valid', 'BOOL', 'REQUIRED', 'True for a valid sale, false for a reject.'),
    ...stagingFields(),
    field('_message_id', 'STRING', 'REQUIRED', 'Pub/Sub message id.'),
    field('_publish_time', 'TIMESTAMP', 'REQUIRED', 'When the message was published.'),
    field('_event_time', 'TIMESTAMP', 'NULLABLE', 'When the sale happened (valid sales).'),
    field('raw_row', 'STRING', 'NULLABLE', 'A reject: the payload (text, or base64).'),
    field('reasons', 'STRING', 'NULLABLE', 'A reject: why (field: reason; …).'),
    field('_attributes', 'STRING', 'NULLABLE', 'A reject: the message attributes as JSON.'),
    field('_payload_encoding', 'STRING', 'NULLABLE', 'A reject: base64 when the payload was not UTF-8.'),
    field('_staged_at', 'TIMESTAMP', 'REQUIRED', 'When the batch was staged.'),
  ];
}

/** The Pub/Sub message a row came from (NULL for rows loaded from files). */
function messageFields(): BigQueryField[] {
  return [
    field('_message_id', 'STRING', 'NULLABLE', 'Pub/Sub message id (NULL for files).'),
    field('_publish_time', 'TIMESTAMP', 'NULLABLE', 'When the message was published.'),
  ];
}

/** A streamed sale's message and event time. */
function streamFields(): BigQueryField[] {
  return [
    ...messageFields(),
    field('_event_time', 'TIMESTAMP', 'NULLABLE', 'When the sale happened (the event_time attribute).'),
  ];
}

/**
 * Columns of a staging table for loads: the sales columns in schema order, all
 * NULLABLE, so a file lands as-is (CSV loads are positional on BigQuery) and
 * validation happens in SQL afterwards.
 */
export function stagingFields(): BigQueryField[] {
  return nullable(salesBigQuerySchema());
}

export function tableDef(name: string): TableDef | undefined {
  return TABLES.find((t) => t.name === name);
}

/** DuckDB type for a BigQuery field. */
export function duckdbTypeOf(f: Pick<BigQueryField, 'type' | 'precision' | 'scale'>): string {
  switch (f.type) {
    case 'STRING':
      return 'VARCHAR';
    case 'INT64':
    case 'INTEGER':
      return 'BIGINT';
    case 'NUMERIC':
      return `DECIMAL(${f.precision ?? 38}, ${f.scale ?? 9})`;
    case 'FLOAT64':
    case 'FLOAT':
      return 'DOUBLE';
    case 'BOOL':
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'DATE':
      return 'DATE';
    case 'TIMESTAMP':
      return 'TIMESTAMP';
    default:
      throw new Error(`no DuckDB type for BigQuery type ${f.type}`);
  }
}

/**
 * DuckDB DDL for one table (CREATE TABLE IF NOT EXISTS, or OR REPLACE). BigQuery
 * tables are created through the API from the same TableDef (partitioning and
 * clustering included), not from DDL.
 */
export function createTableSql(
  def: Pick<TableDef, 'name' | 'fields'>,
  ref: (name: string) => string,
  opts: { replace?: boolean; scratch?: boolean } = {},
): string {
  const cols = def.fields.map((f) => `  ${f.name} ${duckdbTypeOf(f)}${f.mode === 'REQUIRED' ? ' NOT NULL' : ''}`);
  const temp = opts.scratch ? 'TEMP ' : '';
  const create = opts.replace ? `CREATE OR REPLACE ${temp}TABLE` : `CREATE ${temp}TABLE IF NOT EXISTS`;
  return `${create} ${ref(def.name)} (\n${cols.join(',\n')}\n)`;
}

/**
 * ALTER statements adding the columns of `def` a table created by an earlier
 * version lacks (`existing`: its column names). Tables only ever gain NULLABLE
 * columns, which both dialects add in place.
 */
export function addMissingColumnsSql(
  def: TableDef,
  existing: ReadonlySet<string>,
  ref: (name: string) => string,
  dialect: 'duckdb' | 'bigquery',
): string[] {
  return def.fields
    .filter((f) => !existing.has(f.name))
    .map((f) => {
      if (f.mode === 'REQUIRED') throw new Error(`cannot add REQUIRED column ${f.name} to existing table ${def.name}`);
      const type = dialect === 'duckdb' ? duckdbTypeOf(f) : f.type;
      return `ALTER TABLE ${ref(def.name)} ADD COLUMN IF NOT EXISTS ${f.name} ${type}`;
    });
}
