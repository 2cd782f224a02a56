/**
 * `--no-create` (Terraform's check_only) on both warehouses: the loaders check
 * that the dataset (file), every table with the columns the code needs and
 * every view exist, name what is missing and exit 2, and create nothing —
 * never a missing object, never a replaced view.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBatch } from '../../pipelines/batch/run-batch.ts';
import { BigQueryWarehouse } from '../../warehouse/bigquery-warehouse.ts';
import { WarehouseNotReadyError } from '../../warehouse/check.ts';
import { DuckDBWarehouse } from '../../warehouse/duckdb-warehouse.ts';
import { type RunningBigQueryServer, startBigQueryServer } from '../util/bigquery-server/index.ts';
import { runSalesflow } from '../util/cli.ts';
import { sampleRows, writeSalesCsv } from '../util/sales-csv.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-check-');
const PROJECT = 'check-proj';
let bq: RunningBigQueryServer;

beforeAll(async () => {
  bq = await startBigQueryServer({ projectId: PROJECT });
});

afterAll(async () => {
  await bq?.stop();
});

/** A landing folder with one small CSV. */
function landing(root: string): string {
  const dir = join(root, 'landing');
  mkdirSync(dir, { recursive: true });
  writeSalesCsv(join(dir, 'sales-1.csv'), sampleRows(5, 70));
  return dir;
}

/** A view whose definition is not the code's: a check-only run must leave it as it is. */
const CUSTOM_VIEW = 'SELECT 42 AS marker';

describe('--no-create on DuckDB', () => {
  it('a missing warehouse file is refused (exit 2) and not created', async () => {
    const root = tmp();
    const db = join(root, 'none.duckdb');
    const r = await runSalesflow(['pipeline', 'batch', '-s', landing(root), '-w', `duckdb:${db}`, '--no-create']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/no warehouse at .*none\.duckdb/);
    expect(existsSync(db)).toBe(false);
  });

  it('a warehouse lacking a view and a column: both named, exit 2, nothing created; once complete, views are left as they are', async () => {
    const root = tmp();
    const db = join(root, 'w.duckdb');
    const w = await DuckDBWarehouse.open(db);
    await w.ensure();
    await w.run('DROP VIEW gold_daily_sales');
    await w.run('ALTER TABLE silver_sales DROP COLUMN _event_time');
    await w.close();
    const dims = join(root, 'dims');
    mkdirSync(dims);
    const r = await runSalesflow(['pipeline', 'batch', '-s', landing(root), '-w', `duckdb:${db}`, '--no-create']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/lacks what the commands need.*column silver_sales\._event_time, view gold_daily_sales/);
    await withDuckDB(db, async (x) => {
      expect(
        (await x.query("SELECT COUNT(*) AS n FROM duckdb_views() WHERE view_name = 'gold_daily_sales'")).rows[0].n,
      ).toBe(0);
      // Completed by someone else (here: ensure), with a view of their own.
      await x.ensure();
      await x.run(`CREATE OR REPLACE VIEW gold_avg_by_region AS ${CUSTOM_VIEW}`);
    });
    const ok = await runSalesflow([
      'pipeline',
      'batch',
      '-s',
      join(root, 'landing'),
      '-w',
      `duckdb:${db}`,
      '--no-create',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    await withDuckDB(db, async (x) => {
      expect((await x.query('SELECT COUNT(*) AS n FROM silver_sales')).rows[0].n).toBe(5);
      expect((await x.query('SELECT * FROM gold_avg_by_region')).rows).toEqual([{ marker: 42 }]);
    });
  });
});

describe('--no-create on BigQuery', () => {
  const open = (dataset: string) => BigQueryWarehouse.open({ projectId: PROJECT, dataset, endpoint: bq.url });

  it('a missing dataset is named and not created (the stream command exits 2)', async () => {
    const r = await runSalesflow(
      [
        'pipeline',
        'stream',
        '-s',
        'projects/p/subscriptions/sales-sub',
        '-w',
        `bigquery:${PROJECT}.absent`,
        '--no-create',
      ],
      {
        env: { BIGQUERY_EMULATOR_HOST: bq.url, PUBSUB_EMULATOR_HOST: '127.0.0.1:9' },
      },
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`lacks what the commands need.*dataset ${PROJECT}\\.absent`));
    const w = await open('absent');
    expect((await w.client.dataset('absent').exists())[0]).toBe(false);
  });

  it('missing tables, columns and views are named; nothing is created; once complete, a load keeps the views as they are', async () => {
    const w = await open('partial');
    await w.ensure();
    await w.dropTable('stream_stage');
    await w.run('DROP VIEW gold_top_customers');
    await w.run('ALTER TABLE quarantine_sales DROP COLUMN _attributes');
    const err = await w.check().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WarehouseNotReadyError);
    expect((err as WarehouseNotReadyError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(
      /column quarantine_sales\._attributes, table stream_stage, view gold_top_customers/,
    );
    const [tables] = await w.client.dataset('partial').getTables();
    expect(tables.map((t) => t.id)).not.toContain('stream_stage');
    expect(tables.map((t) => t.id)).not.toContain('gold_top_customers');

    await w.ensure();
    await w.run(`CREATE OR REPLACE VIEW gold_avg_by_region AS ${CUSTOM_VIEW}`);
    const root = tmp();
    const summary = await runBatch({ source: landing(root), warehouse: w, checkOnly: true });
    expect(summary.rowsLoaded).toBe(5);
    expect((await w.query('SELECT * FROM gold_avg_by_region')).rows).toEqual([{ marker: 42 }]);
    await w.close();
  });
});

async function withDuckDB(path: string, fn: (w: DuckDBWarehouse) => Promise<void>): Promise<void> {
  const w = await DuckDBWarehouse.open(path);
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}
