/**
 * The dashboard's report model on the hand-checkable gold fixture, on DuckDB
 * and on BigQuery (test server): the same numbers, filters applied as bound
 * parameters, and plain notices for a missing, empty or unreachable warehouse
 * and for missing tables; the live panel when its table exists.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardQueries } from '../../../warehouse/dashboard/queries.ts';
import { parseReportFilters, salesFilterSql } from '../../../warehouse/dashboard/filters.ts';
import { buildReportModel, loadReportModel } from '../../../warehouse/dashboard/report-model.ts';
import { BigQueryWarehouse, DuckDBWarehouse, type Warehouse } from '../../../warehouse/index.ts';
import { type RunningBigQueryServer, startBigQueryServer } from '../../util/bigquery-server/index.ts';
import { fillGoldFixture } from '../../util/gold-fixture.ts';
import { useTempDir } from '../../util/tmp.ts';

const dir = useTempDir('salesflow-report-model-');
let server: RunningBigQueryServer;
let duckPath: string;
const bqSpec = 'bigquery:model.gold';

beforeAll(async () => {
  server = await startBigQueryServer({ projectId: 'model' });
  duckPath = join(dir(), 'gold.duckdb');
  const duck = await DuckDBWarehouse.open(duckPath);
  const bq = await BigQueryWarehouse.open({ projectId: 'model', dataset: 'gold', endpoint: server.url });
  for (const w of [duck, bq] as Warehouse[]) {
    await w.ensure();
    await fillGoldFixture(w);
  }
  await duck.close();
});

afterAll(() => server?.stop());

const load = (kind: 'duckdb' | 'bigquery', filters = {}) =>
  kind === 'duckdb'
    ? loadReportModel({ warehouse: `duckdb:${duckPath}`, filters })
    : loadReportModel({ warehouse: bqSpec, warehouseOptions: { endpoint: server.url }, filters });

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('filters', () => {
  it('validates dates and region, and binds values instead of splicing them', () => {
    expect(parseReportFilters({ from: ' 2024-01-01 ', to: '', region: 'North' })).toEqual({
      from: '2024-01-01',
      region: 'North',
    });
    expect(() => parseReportFilters({ from: '2024-02-30' })).toThrow(/from "2024-02-30" is not a date/);
    expect(() => parseReportFilters({ from: '2024-03-01', to: '2024-02-01' })).toThrow(/after/);
    const hostile = "North' OR 1=1 --";
    const f = salesFilterSql({ region: hostile, from: '2024-01-01' });
    expect(f.where).toBe('transaction_date >= @filter_from AND sales_region = @filter_region');
    expect(f.params).toEqual({ filter_from: { type: 'DATE', value: '2024-01-01' }, filter_region: hostile });
    for (const q of Object.values(dashboardQueries('bigquery', (n) => n, { region: hostile }))) {
      expect(q.sql).not.toContain(hostile);
    }
  });
});

for (const kind of ['duckdb', 'bigquery'] as const) {
  describe(`report model on ${kind}`, () => {
    it('has every panel with the fixture numbers, no notice', async () => {
      const m = await load(kind);
      expect(m.available).toBe(true);
      expect(m.notice).toBeUndefined();
      expect(m.regions).toEqual(['East', 'North', 'South']);
      expect(m.dataRange).toEqual({ first: '2024-01-10', last: '2024-04-01' });
      // 10.00 + 30.05 + 200.00 + 600.00 + 25.00 + 100.00 + 24.99 + 20.00 + 50.00 = 1060.04 over 9 → 117.782 → 117.78
      expect(m.panels.kpis.rows).toEqual([{ transactions: 9, total_sales: '1060.04', average_ticket: '117.78' }]);
      expect(m.panels.pipeline.rows[0]).toMatchObject({ silver_rows: 9, quarantined_rows: 3, load_attempts: 3 });
      expect(m.panels.pipeline.rows[0].last_load).toBe('2024-05-02T09:00:30.000000Z');
      expect(m.panels.byRegion.rows.map((r) => [r.sales_region, r.total_sales])).toEqual([
        ['East', '50.00'],
        ['North', '760.05'],
        ['South', '249.99'],
      ]);
      expect(m.panels.topCustomers.rows.map((r) => [r.customer_id, r.customer_name, r.total_spent])).toEqual([
        [3, null, '650.00'],
        [2, 'Bob Stone', '249.99'],
        [1, 'Ann Lee', '160.05'],
      ]);
      expect(m.panels.quarantineReasons.rows[0]).toMatchObject({ reason_rank: 1, row_count: 2 });
      expect(m.panels.loadHealth.rows).toHaveLength(3);
      for (const [name, panel] of Object.entries(m.panels)) expect(panel.error, name).toBeUndefined();
      expect(m.live.state).toBe('empty');
      expect(m.live.message).toContain('nothing has been streamed into gold_sales_per_minute');
    });

    it('applies date range and region in the warehouse', async () => {
      const m = await load(kind, { from: '2024-02-01', to: '2024-02-29', region: 'South' });
      // February, South: 25.00 + 24.99
      expect(m.panels.kpis.rows).toEqual([{ transactions: 2, total_sales: '49.99', average_ticket: '25.00' }]);
      expect(m.panels.salesByDay.rows.map((r) => r.transaction_date)).toEqual(['2024-02-20', '2024-02-21']);
      expect(m.panels.topCustomers.rows.map((r) => r.customer_id)).toEqual([2]);
      expect(m.panels.categoryPerformance.rows).toEqual([
        {
          month: '2024-02-01',
          product_category: 'Books',
          transactions: 2,
          revenue: '49.99',
          average_ticket: '25.00',
          revenue_share_pct: '100.00',
          mom_growth_pct: null,
        },
      ]);
      // The pipeline's own panels are not filtered.
      expect(m.panels.pipeline.rows[0].silver_rows).toBe(9);
      expect(m.filterText).toBe('2024-02-01 – 2024-02-29, South');
    });

    it('says so when no sales match the filters, and what the warehouse does hold', async () => {
      const m = await load(kind, { region: 'Central' });
      expect(m.notice).toEqual({
        level: 'warning',
        message:
          'No sales match the filters (all dates, Central): the warehouse has no sales in Central; its regions are East, North, South.',
      });
      expect(m.panels.kpis.rows).toEqual([{ transactions: 0, total_sales: null, average_ticket: null }]);
      expect(m.panels.salesByDay.rows).toEqual([]);
      // A date range beside the data: the notice gives the dates there are (of the region filtered on).
      expect((await load(kind, { from: '2030-01-01', region: 'South' })).notice?.message).toBe(
        'No sales match the filters (2030-01-01 – …, South): the sales in South run from 2024-01-11 to 2024-02-21.',
      );
      expect((await load(kind, { to: '2023-12-31' })).notice?.message).toBe(
        'No sales match the filters (… – 2023-12-31, all regions): the sales run from 2024-01-10 to 2024-04-01.',
      );
    });
  });
}

describe('the page says plainly what is wrong', () => {
  it('a missing DuckDB file: a notice, and no file is created', async () => {
    const path = join(dir(), 'nothing-here.duckdb');
    const m = await loadReportModel({ warehouse: `duckdb:${path}` });
    expect(m.available).toBe(false);
    expect(m.notice?.level).toBe('error');
    expect(m.notice?.message).toContain(`no warehouse at ${path}`);
    expect(m.panels.kpis.error).toContain('no warehouse at');
    const { existsSync } = await import('node:fs');
    expect(existsSync(path)).toBe(false);
  });

  it('an empty warehouse: the tables exist, there are no sales yet', async () => {
    const path = join(dir(), 'empty.duckdb');
    const w = await DuckDBWarehouse.open(path);
    await w.ensure();
    const m = await buildReportModel(w);
    await w.close();
    expect(m.notice).toEqual({
      level: 'warning',
      message: `The warehouse duckdb:${path} has no sales yet: load some with salesflow pipeline batch -s DIR (or run salesflow demo).`,
    });
    expect(m.panels.salesByDay).toEqual({ rows: [] });
    expect(m.panels.loadHealth).toEqual({ rows: [] });
  });

  it('missing tables: named in the notice and in each panel that needs them', async () => {
    const path = join(dir(), 'bare.duckdb');
    const w = await DuckDBWarehouse.open(path);
    await w.run('CREATE TABLE load_log (x INT)');
    const m = await buildReportModel(w);
    await w.close();
    expect(m.notice?.message).toContain('has no silver_sales table yet');
    expect(m.panels.salesByDay.error).toBe(`table silver_sales does not exist in duckdb:${path}`);
    expect(m.panels.quarantineReasons.error).toBe(`table quarantine_sales does not exist in duckdb:${path}`);
  });

  it('an unreachable BigQuery: a notice within seconds, not a crash', async () => {
    const port = await closedPort();
    const started = performance.now();
    const m = await loadReportModel({
      warehouse: 'bigquery:p.d',
      warehouseOptions: { endpoint: `http://127.0.0.1:${port}` },
    });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(m.available).toBe(false);
    expect(m.notice?.level).toBe('error');
    expect(m.notice?.message).toMatch(/^Cannot reach the warehouse bigquery:p\.d: .*ECONNREFUSED/);
    expect(m.live.state).toBe('error');
  });
});

describe('live panel', () => {
  it('shows per-minute windows and when they were last updated, filtered by region', async () => {
    const path = join(dir(), 'live.duckdb');
    const w = await DuckDBWarehouse.open(path);
    await w.ensure();
    await w.run(`INSERT INTO gold_sales_per_minute (window_start, sales_region, transactions, total_sales, updated_at) VALUES
      (TIMESTAMP '2024-05-01 10:00:00', 'North', 3, 30.50, TIMESTAMP '2024-05-01 10:00:58'),
      (TIMESTAMP '2024-05-01 10:01:00', 'North', 1, 5.00, TIMESTAMP '2024-05-01 10:01:30'),
      (TIMESTAMP '2024-05-01 10:01:00', 'South', 2, 12.00, TIMESTAMP '2024-05-01 10:01:59')`);
    const all = await buildReportModel(w);
    const north = await buildReportModel(w, { region: 'North' });
    await w.close();
    expect(all.live).toMatchObject({
      state: 'ok',
      newestWindow: '2024-05-01T10:01:00.000000Z',
      lastUpdated: '2024-05-01T10:01:59.000000Z',
    });
    expect(all.live.rows).toHaveLength(3);
    expect(north.live.rows).toEqual([
      { window_start: '2024-05-01T10:01:00.000000Z', sales_region: 'North', transactions: 1, total_sales: '5.00' },
      { window_start: '2024-05-01T10:00:00.000000Z', sales_region: 'North', transactions: 3, total_sales: '30.50' },
    ]);
  });
});
