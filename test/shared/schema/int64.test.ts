/**
 * customer_id is INT64: ids past 2^53 are carried exactly on every path — the
 * validator (CSV and NDJSON, where JSON.parse alone would round them),
 * to-parquet's int64 column, the three aggregate engines (group labels and
 * --where), both warehouses through the batch pipeline, and query output.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEngine } from '../../../aggregate/engine.ts';
import { buildQueries } from '../../../aggregate/query.ts';
import { aggregate } from '../../../aggregate/run.ts';
import { runBatch } from '../../../pipelines/batch/run-batch.ts';
import { formatCents } from '../../../shared/money.ts';
import { CSV_HEADER, RecordValidator, salesBigQuerySchema } from '../../../shared/schema/index.ts';
import { openStore } from '../../../shared/storage/index.ts';
import { convertToParquet } from '../../../transform/index.ts';
import { ChunkParser } from '../../../transform/row-parser.ts';
import { createBigQueryClient } from '../../../shared/bigquery/client.ts';
import { BigQueryWarehouse, DuckDBWarehouse } from '../../../warehouse/index.ts';
import { type RunningBigQueryServer, startBigQueryServer } from '../../util/bigquery-server/index.ts';
import { runSalesflow } from '../../util/cli.ts';
import { queryMemoryDuckDB } from '../../util/duckdb.ts';
import { type GcsServer, startGcsServer } from '../../util/gcs-server/index.ts';
import { useTempDir } from '../../util/tmp.ts';

const tmp = useTempDir('salesflow-int64-');
/** Neighbours past 2^53 (a double cannot tell them apart), the INT64 maximum, and a small id. */
const IDS = [
  '9007199254740993',
  '9007199254740992',
  '9007199254740994',
  '9223372036854775807',
  '12345678901234567',
  '42',
];
const rows = IDS.map((id, i) => ({ tx: `TX-${i}`, id, cents: 100 * (i + 1) }));
const csv = `${CSV_HEADER}\n${rows.map((r) => `${r.tx},${r.id},2024-03-0${1 + (r.cents % 3)},${formatCents(r.cents)},Books,North`).join('\n')}\n`;
const byCustomer = IDS.map((id, i) => ({ customer_id: id, sum: formatCents(100 * (i + 1)), count: 1 })).sort((a, b) =>
  a.customer_id < b.customer_id ? -1 : 1,
);
let gcs: GcsServer;
let bq: RunningBigQueryServer;

beforeAll(async () => {
  writeFileSync(join(tmp(), 'sales.csv'), csv);
  gcs = await startGcsServer();
  bq = await startBigQueryServer({ projectId: 'int64-project', gcsEndpoint: gcs.url });
}, 60_000);
afterAll(async () => {
  await bq?.stop();
  await gcs?.stop();
});

describe('INT64 customer ids past 2^53', () => {
  it('the validator and the parser carry them exactly (CSV and NDJSON numbers), and refuse past INT64', () => {
    const v = new RecordValidator();
    for (const id of IDS) {
      const r = v.validateValues('TX-1', id, '2024-01-01', '1.00', 'Books', 'North');
      expect(r.ok && String(r.record.customer_id), id).toBe(id);
    }
    expect(v.validateValues('TX-1', '9223372036854775808', '2024-01-01', '1.00', 'Books', 'North')).toMatchObject({
      ok: false,
      errors: [{ field: 'customer_id', reason: 'is too large for INT64 (max 9223372036854775807)' }],
    });
    const seen: string[] = [];
    const sink = {
      row: (_b: Uint8Array, _s: number, _e: number, c: number | bigint) => seen.push(String(c)),
      reject() {},
    };
    new ChunkParser(v.domains, 'csv').parse(new TextEncoder().encode(csv.slice(CSV_HEADER.length + 1)), sink);
    const ndjson = IDS.map(
      (id) =>
        `{"transaction_id":"TX-1","customer_id":${id},"transaction_date":"2024-01-01","sale_amount":1.50,"product_category":"Books","sales_region":"North"}`,
    ).join('\n');
    new ChunkParser(v.domains, 'ndjson').parse(new TextEncoder().encode(ndjson), sink);
    expect(seen).toEqual([...IDS, ...IDS]);
    // An object whose number JSON.parse already rounded cannot be trusted: refused, not guessed.
    expect(
      v.validateObject({
        id: 'TX-1',
        customer: Number('9007199254740993'), // what JSON.parse makes of it
        date: '2024-01-01',
        amount: 1,
        category: 'Books',
        region: 'North',
      }),
    ).toMatchObject({
      ok: false,
      errors: [{ field: 'customer_id', reason: 'is a number past 2^53, not exact as a double' }],
    });
  });

  it('to-parquet writes them exactly, and all three aggregate engines group and filter them exactly', async () => {
    const lake = join(tmp(), 'lake');
    await convertToParquet({ input: join(tmp(), 'sales.csv'), outDir: lake, partitionBy: 'region', workers: 1 });
    const back = await queryMemoryDuckDB(
      `SELECT customer_id::VARCHAR AS c FROM read_parquet('${lake}/**/*.parquet') ORDER BY transaction_id`,
    );
    expect(back.map((r) => r.c)).toEqual(IDS);

    const table = async (engine: 'duckdb' | 'arrow' | 'bigquery', source: string, where?: string[]) => {
      const queries = buildQueries({ by: ['customer'], metrics: 'sum,count', where });
      const out = await aggregate({
        source,
        engine,
        queries,
        workers: 0,
        bigquery: { projectId: bq.projectId, apiEndpoint: bq.url },
      });
      return out.reports[0].rows
        .map(([customer, sum, count]) => ({ customer_id: String(customer), sum: String(sum), count: Number(count) }))
        .sort((a, b) => (a.customer_id < b.customer_id ? -1 : 1));
    };
    const client = createBigQueryClient(bq.projectId, bq.url);
    const [dataset] = await client.createDataset('int64');
    const [t] = await dataset.createTable('sales', { schema: { fields: salesBigQuerySchema() } });
    await t.insert(
      rows.map((r) => ({
        transaction_id: r.tx,
        customer_id: r.id,
        transaction_date: '2024-03-01',
        sale_amount: formatCents(r.cents),
        product_category: 'Books',
        sales_region: 'North',
      })),
    );
    for (const [engine, source] of [
      ['duckdb', lake],
      ['arrow', lake],
      ['bigquery', 'int64.sales'],
    ] as const) {
      expect(await table(engine, source), engine).toEqual(byCustomer);
      const one = await table(engine, source, ['customer=9007199254740993']);
      expect(one, engine).toEqual([{ customer_id: '9007199254740993', sum: '1.00', count: 1 }]);
      const above = await table(engine, source, ['customer>9007199254740993', 'customer<9223372036854775807']);
      expect(
        above.map((r) => r.customer_id),
        engine,
      ).toEqual(['12345678901234567', '9007199254740994']);
    }
    expect((await loadEngine('duckdb')).name).toBe('duckdb');
  });

  it('the batch pipeline lands them exactly in silver on DuckDB and BigQuery, and query prints them exactly', async () => {
    const local = join(tmp(), 'landing');
    writeFileSync(join(tmp(), 'sales.csv'), csv);
    const store = openStore(local);
    await store.putBuffer('in/sales.csv', csv);
    const db = join(tmp(), 'w.duckdb');
    await runBatch({ source: local, warehouse: `duckdb:${db}`, deleteSource: true });
    const w = await DuckDBWarehouse.open(db);
    try {
      const r = await w.query('SELECT customer_id FROM silver_sales ORDER BY transaction_id');
      expect(r.rows.map((x) => String(x.customer_id))).toEqual(IDS);
    } finally {
      await w.close();
    }
    const out = await runSalesflow([
      'query',
      'SELECT customer_id FROM silver_sales ORDER BY transaction_id',
      '--warehouse',
      `duckdb:${db}`,
      '-f',
      'csv',
    ]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.trim().split('\n').slice(1)).toEqual(IDS);

    const landing = openStore('gs://int64-landing/landing', { apiEndpoint: gcs.url });
    await landing.ensureBucket();
    await landing.putBuffer('in/sales.csv', csv);
    const bqw = await BigQueryWarehouse.open({ projectId: bq.projectId, dataset: 'sales', endpoint: bq.url });
    await runBatch({ source: 'gs://int64-landing/landing', warehouse: bqw, storeOptions: { apiEndpoint: gcs.url } });
    const r = await bqw.query(`SELECT customer_id FROM ${bqw.ref('silver_sales')} ORDER BY transaction_id`);
    expect(r.rows.map((x) => String(x.customer_id))).toEqual(IDS);
  }, 120_000);
});
