/**
 * Several `salesflow pipeline stream` processes on one subscription (the
 * Pub/Sub emulator) and one BigQuery dataset (the REST and Storage Write API
 * test servers), as N Cloud Run instances run: one is SIGKILLed in the middle
 * of a commit (its batch staged, its transaction never sent), one right after a
 * COMMIT (before its acks); their messages come back to the survivor. Silver
 * ends with every valid event exactly once, bronze and quarantine with every
 * message once, gold with silver's totals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishEvents } from '../../../generator/publish.ts';
import { BigQueryWarehouse } from '../../../warehouse/bigquery-warehouse.ts';
import { type RunningBigQueryServer, startBigQueryServer } from '../../util/bigquery-server/index.ts';
import { type BigQueryStorageServer, startBigQueryStorageServer } from '../../util/bigquery-storage-server/index.ts';
import { type RunningSalesflow, startSalesflow } from '../../util/cli.ts';
import { uniqueProjectId, useEmulator, waitFor } from './fixtures.ts';

const PROJECT = uniqueProjectId('stream-consumers');
const DATASET = 'sales';
const pubsub = useEmulator(PROJECT);
let bq: RunningBigQueryServer;
let storage: BigQueryStorageServer;
let warehouse: BigQueryWarehouse;

beforeAll(async () => {
  bq = await startBigQueryServer({ projectId: PROJECT });
  storage = await startBigQueryStorageServer({ bigquery: bq });
  // The dataset as Terraform would provision it: the consumers run with --no-create.
  warehouse = await BigQueryWarehouse.open({
    projectId: PROJECT,
    dataset: DATASET,
    endpoint: bq.url,
    storageEndpoint: storage.endpoint,
  });
  await warehouse.ensure();
});

afterAll(async () => {
  await warehouse?.close();
  await storage?.stop();
  await bq?.stop();
});

/** One sale as a comparable line: from a published event's JSON, or from a silver row (amount in cents). */
function silverLine(r: Record<string, unknown>): string {
  const cents = 'cents' in r ? Number(r.cents) : Math.round(Number(r.sale_amount) * 100);
  return [
    r.transaction_id,
    String(r.customer_id),
    String(r.transaction_date),
    cents,
    r.product_category,
    r.sales_region,
  ]
    .map(String)
    .join('|');
}

const count = async (sql: string) => Number((await warehouse.query(sql)).rows[0].n);

describe('pipeline stream: several consumers into one BigQuery dataset', () => {
  it('one killed mid-commit and one after its COMMIT: the survivor gets their messages; every valid event once in silver', async () => {
    await pubsub().topic('sales', ['sales-sub']);
    // What an uninterrupted run makes of these messages: every valid sale once, as published.
    const expected = new Map<string, string>();
    // Every sale 2–3 minutes old: their minutes close as soon as a consumer is idle, so gold settles quickly.
    const published = await publishEvents({
      topic: `projects/${PROJECT}/topics/sales`,
      rows: 600,
      rate: 0,
      seed: 16,
      duplicates: 0.05,
      invalid: 0.03,
      late: 1,
      lateMinutes: [2, 3],
      client: pubsub().client,
      onSent: (_n, m) => {
        if (m.transactionId === undefined) return;
        const sale = JSON.parse(m.data.toString('utf8'));
        expected.set(m.transactionId, silverLine(sale));
      },
    });
    expect(published.published).toBe(600);
    const env = {
      ...pubsub().emulator.env,
      BIGQUERY_EMULATOR_HOST: bq.url,
      BIGQUERY_STORAGE_EMULATOR_HOST: storage.endpoint,
    };
    const consumer = (crashAt?: string): RunningSalesflow =>
      startSalesflow(
        [
          'pipeline',
          'stream',
          '-s',
          `projects/${PROJECT}/subscriptions/sales-sub`,
          '-w',
          `bigquery:${PROJECT}.${DATASET}`,
          '--no-create',
          '--max-batch',
          '50',
        ],
        { env: crashAt ? { ...env, SALESFLOW_CRASH_AT: crashAt } : env },
      );
    // Two die at their second commit, with messages leased and unacked. They have the backlog to
    // themselves until then: a consumer started beside a fast survivor can find the backlog gone
    // and never reach its second commit.
    const mid = consumer('stream-mid-commit@2');
    const after = consumer('stream-after-commit@2');
    for (const doomed of [mid, after]) expect((await doomed.processExit).signal).toBe('SIGKILL');
    const survivor = consumer();
    // The mid-commit one died with its second batch staged and never committed.
    expect(await count('SELECT COUNT(DISTINCT _batch_id) AS n FROM stream_stage')).toBeGreaterThan(0);

    const validMessages = published.published - published.invalid;
    const sales = published.sales + published.late;
    await waitFor(
      async () =>
        (await count('SELECT COUNT(*) AS n FROM bronze_sales')) === validMessages &&
        (await count('SELECT COUNT(*) AS n FROM quarantine_sales')) === published.invalid,
      'every message to be committed',
      120_000,
    );
    const goldSql =
      'SELECT window_start, sales_region, transactions, total_sales FROM gold_sales_per_minute ORDER BY 1, 2';
    const silverTotals = `SELECT TIMESTAMP_TRUNC(_event_time, MINUTE) AS window_start, sales_region,
        COUNT(*) AS transactions, SUM(sale_amount) AS total_sales
      FROM silver_sales GROUP BY 1, 2 ORDER BY 1, 2`;
    await waitFor(
      async () =>
        JSON.stringify((await warehouse.query(goldSql)).rows) ===
        JSON.stringify((await warehouse.query(silverTotals)).rows),
      'gold to agree with silver',
      30_000,
    );
    survivor.kill('SIGTERM');
    const drained = await survivor.exited;
    expect([0, 3], drained.stderr).toContain(drained.code);
    // What the after-commit one had committed came back and added nothing.
    expect(drained.stdout).toMatch(/redelivered [1-9]/);

    expect(await count('SELECT COUNT(*) AS n FROM silver_sales')).toBe(sales);
    expect(await count('SELECT COUNT(DISTINCT transaction_id) AS n FROM silver_sales')).toBe(sales);
    expect(expected.size).toBe(sales);
    const silver = await warehouse.query(
      `SELECT transaction_id, customer_id, transaction_date, CAST(ROUND(sale_amount * 100) AS INT64) AS cents,
         product_category, sales_region
       FROM silver_sales ORDER BY transaction_id`,
    );
    expect(silver.rows.map(silverLine)).toEqual([...expected.keys()].sort().map((id) => expected.get(id)));
    expect(await count('SELECT COUNT(DISTINCT _message_id) AS n FROM bronze_sales')).toBe(validMessages);
    expect(await count('SELECT COUNT(DISTINCT _message_id) AS n FROM quarantine_sales')).toBe(published.invalid);
    expect((await warehouse.query(goldSql)).rows).toEqual((await warehouse.query(silverTotals)).rows);
  }, 240_000); // 104 s seen with the machine's load at 15
});
