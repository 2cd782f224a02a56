/**
 * Parquet in the batch pipeline follows the text path's rules: a column of the
 * wrong physical or logical type (a DOUBLE amount, text ids or dates, INT32,
 * timestamps, another decimal scale or a wider precision), a missing column, an
 * extra one, two columns whose names differ only in case, or
 * a folder value the validator refuses is a layout rejection of the file naming
 * the column — on DuckDB (local view and gs:// load) and on BigQuery (load job
 * from gs://). Values are never rounded or reparsed into valid ones.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BatchSummary, runBatch } from '../../../pipelines/batch/run-batch.ts';
import { openStore } from '../../../shared/storage/index.ts';
import { BigQueryWarehouse, type Warehouse } from '../../../warehouse/index.ts';
import { type RunningBigQueryServer, startBigQueryServer } from '../../util/bigquery-server/index.ts';
import { withMemoryDuckDB } from '../../util/duckdb.ts';
import { type GcsServer, startGcsServer } from '../../util/gcs-server/index.ts';
import { useTempDir } from '../../util/tmp.ts';
import { renameParquetColumn } from '../../util/parquet-rename.ts';
import { withDuckDB } from './fixtures.ts';

const tmp = useTempDir('salesflow-batch-types-');
let gcs: GcsServer;
let bq: RunningBigQueryServer;

const GOOD = {
  transaction_id: "'TX-' || i",
  customer_id: 'CAST(7 + i AS BIGINT)',
  transaction_date: "DATE '2024-03-01' + CAST(i AS INTEGER)",
  sale_amount: 'CAST(12.34 AS DECIMAL(12, 2))',
  product_category: "'Books'",
  sales_region: "'North'",
};
type Columns = Partial<Record<keyof typeof GOOD | 'xale_amount', string | null>>;

/**
 * Landing files: key → the column expressions that differ from a good file (null: column left out),
 * and the name an extra DOUBLE `xale_amount` column gets after writing (DuckDB's COPY would de-duplicate it).
 */
const FILES: Record<string, { columns: Columns; reason?: RegExp; renameExtra?: string }> = {
  'good.parquet': { columns: {} },
  'amount-double-3-decimals.parquet': {
    columns: { sale_amount: 'CAST(12.345 AS DOUBLE)' },
    reason: /column sale_amount is (Float64|DOUBLE)[^,]*, expected DECIMAL/,
  },
  'amount-double-exact.parquet': { columns: { sale_amount: 'CAST(12.5 AS DOUBLE)' }, reason: /column sale_amount is/ },
  'amount-scale-3.parquet': {
    columns: { sale_amount: 'CAST(12.345 AS DECIMAL(12, 3))' },
    reason: /column sale_amount is DECIMAL\(12, 3\)/,
  },
  'amount-too-wide.parquet': {
    columns: { sale_amount: 'CAST(12.34 AS DECIMAL(18, 2))' },
    reason: /column sale_amount is DECIMAL\(18, 2\), expected DECIMAL\(p ≤ 12, 2\)/,
  },
  'customer-text.parquet': { columns: { customer_id: "'7.9'" }, reason: /column customer_id is Utf8, expected INT64/ },
  'customer-int32.parquet': { columns: { customer_id: 'CAST(7 AS INTEGER)' }, reason: /column customer_id is Int32/ },
  'customer-double.parquet': { columns: { customer_id: 'CAST(7 AS DOUBLE)' }, reason: /column customer_id is Float64/ },
  'date-text.parquet': {
    columns: { transaction_date: "'March 3rd'" },
    reason: /column transaction_date is Utf8, expected DATE/,
  },
  'date-iso-text.parquet': { columns: { transaction_date: "'2024-03-01'" }, reason: /transaction_date is Utf8/ },
  'date-timestamp.parquet': {
    columns: { transaction_date: "TIMESTAMP '2024-03-01 10:00:00'" },
    reason: /column transaction_date is Timestamp/,
  },
  'no-region.parquet': { columns: { sales_region: null }, reason: /no column sales_region/ },
  'transaction_date=2024-1-5/part-0.parquet': {
    columns: { transaction_date: null },
    reason: /folder transaction_date=2024-1-5: transaction_date "2024-1-5" is not a valid date/,
  },
  'customer_id=7.9/part-0.parquet': {
    columns: { customer_id: null },
    reason: /folder customer_id=7\.9: customer_id "7\.9" is not a whole number/,
  },
  'transaction_date=2024-03-09/part-0.parquet': { columns: { transaction_date: null } },
  'not-parquet.parquet': { columns: {}, reason: /not a readable Parquet file/ },
  'amount-case-duplicate.parquet': {
    columns: { xale_amount: 'CAST(999.999 AS DOUBLE)' },
    renameExtra: 'SALE_AMOUNT',
    reason: /columns "sale_amount" and "SALE_AMOUNT" differ only in case/,
  },
  'amount-twice.parquet': {
    columns: { xale_amount: 'CAST(999.999 AS DOUBLE)' },
    renameExtra: 'sale_amount',
    reason: /column "sale_amount" appears twice/,
  },
  'extra-column.parquet': {
    columns: { xale_amount: 'CAST(999.999 AS DOUBLE)' },
    reason: /unexpected column "xale_amount"/,
  },
};
const ROWS = 3;
/** Each file's ids are its own (so silver shows whose rows got in). */
const idPrefix = (key: string) => `TX-${key.replace(/\.parquet$/, '').replace(/[^A-Za-z0-9]/g, '')}-`;

beforeAll(async () => {
  const landing = join(tmp(), 'landing');
  await withMemoryDuckDB(async (c) => {
    for (const [key, { columns, renameExtra }] of Object.entries(FILES)) {
      if (key === 'not-parquet.parquet') continue;
      const cols = Object.entries({ ...GOOD, transaction_id: `'${idPrefix(key)}' || i`, ...columns })
        .filter(([, expr]) => expr !== null)
        .map(([name, expr]) => `${expr} AS ${name}`);
      const path = join(landing, key);
      mkdirSync(dirname(path), { recursive: true });
      await c.run(`COPY (SELECT ${cols.join(', ')} FROM range(${ROWS}) t(i)) TO '${path}' (FORMAT parquet)`);
      if (renameExtra !== undefined) renameParquetColumn(path, 'xale_amount', renameExtra);
    }
  });
  writeFileSync(join(landing, 'not-parquet.parquet'), 'PAR1 this is not parquet PAR1');
  gcs = await startGcsServer();
  bq = await startBigQueryServer({ projectId: 'types-project', gcsEndpoint: gcs.url });
  const store = openStore('gs://types-landing/landing', { apiEndpoint: gcs.url });
  await store.ensureBucket();
  for (const rel of readdirSync(landing, { recursive: true, encoding: 'utf8' })) {
    if (rel.endsWith('.parquet')) await store.putBuffer(rel, readFileSync(join(landing, rel)));
  }
}, 120_000);
afterAll(async () => {
  await bq?.stop();
  await gcs?.stop();
});

async function check(s: BatchSummary, w: Warehouse): Promise<void> {
  const byKey = Object.fromEntries(s.files.map((f) => [f.key, f]));
  expect(Object.keys(byKey).sort()).toEqual(Object.keys(FILES).sort());
  for (const [key, { reason }] of Object.entries(FILES)) {
    if (reason === undefined) expect(byKey[key], key).toMatchObject({ status: 'loaded', rowsLoaded: ROWS });
    else {
      expect(byKey[key], key).toMatchObject({ status: 'rejected', rowsLoaded: 0 });
      expect(byKey[key].error, key).toMatch(reason);
    }
  }
  // Only the good files' rows, unchanged; nothing of a refused file in any table.
  const silver = await w.query(
    `SELECT transaction_id, CAST(customer_id AS STRING) AS c, CAST(sale_amount AS STRING) AS a, CAST(transaction_date AS STRING) AS d FROM ${w.ref('silver_sales')} ORDER BY transaction_id`,
  );
  const loaded = Object.keys(FILES).filter((k) => FILES[k].reason === undefined);
  expect(silver.rows.map((r) => r.transaction_id)).toEqual(
    loaded.flatMap((k) => [0, 1, 2].map((i) => `${idPrefix(k)}${i}`)).sort(),
  );
  expect(new Set(silver.rows.map((r) => r.a))).toEqual(new Set(['12.34']));
  expect(silver.rows.filter((r) => String(r.transaction_id).includes('transactiondate')).map((r) => r.d)).toEqual([
    '2024-03-09',
    '2024-03-09',
    '2024-03-09',
  ]);
  const bronze = await w.query(`SELECT COUNT(*) AS n FROM ${w.ref('bronze_sales')}`);
  expect(Number(bronze.rows[0].n)).toBe(2 * ROWS);
  const q = await w.query(`SELECT COUNT(*) AS n FROM ${w.ref('quarantine_sales')}`);
  expect(Number(q.rows[0].n)).toBe(0);
}

describe('wrong-typed Parquet is a layout rejection on every path', () => {
  it('DuckDB, local landing (a view over the file)', async () => {
    const root = join(tmp(), 'duck-local');
    cpSync(join(tmp(), 'landing'), join(root, 'landing'), { recursive: true });
    const db = join(root, 'w.duckdb');
    const s = await runBatch({ source: join(root, 'landing'), warehouse: `duckdb:${db}`, deleteSource: true });
    await withDuckDB(db, (w) => check(s, w));
  });

  it('BigQuery, gs:// landing (a load job from the bucket)', async () => {
    const w = await BigQueryWarehouse.open({ projectId: bq.projectId, dataset: 'types', endpoint: bq.url });
    const s = await runBatch({
      source: 'gs://types-landing/landing',
      warehouse: w,
      storeOptions: { apiEndpoint: gcs.url },
    });
    await check(s, w);
  }, 120_000);
});
