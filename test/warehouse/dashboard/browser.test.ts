/// <reference lib="dom" />
/**
 * The dashboard in a real browser (Debian chromium through playwright-core):
 * the page `salesflow dashboard` serves (here on BigQuery through the test
 * server) and the file `salesflow dashboard --out` writes (here from DuckDB),
 * each checked for: every chart drawn, KPI cards equal to the same figures
 * computed by plain SQL, the filters changing them correctly, a refresh picking
 * up new rows, no request to any other host, no console errors.
 */
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { averageCents, formatCents, parseCents } from '../../../shared/money.ts';
import { buildReportModel, loadReportModel } from '../../../warehouse/dashboard/report-model.ts';
import { startDashboardServer } from '../../../warehouse/dashboard/server.ts';
import { writeReportFile } from '../../../warehouse/dashboard/write-report.ts';
import { BigQueryWarehouse, DuckDBWarehouse, type Params, type Warehouse } from '../../../warehouse/index.ts';
import { type RunningBigQueryServer, startBigQueryServer } from '../../util/bigquery-server/index.ts';
import { launchBrowser, type TestBrowser, type WatchedPage } from '../../util/browser.ts';
import { type RunningSalesflow, runSalesflow, startSalesflow } from '../../util/cli.ts';
import { fillGoldFixture } from '../../util/gold-fixture.ts';
import { useTempDir } from '../../util/tmp.ts';

const dir = useTempDir('salesflow-dashboard-browser-');
let bqServer: RunningBigQueryServer;
let bq: Warehouse;
let duckPath: string;
let browser: TestBrowser;
let dashboard: RunningSalesflow;
let dashboardUrl: string;

const CHARTS = [
  'chart-sales-by-day',
  'chart-by-category',
  'chart-by-region',
  'chart-load-health',
  'chart-quarantine',
  'chart-live',
];

async function addLiveRows(w: Warehouse): Promise<void> {
  await w.run(`INSERT INTO ${w.ref('gold_sales_per_minute')} (window_start, sales_region, transactions, total_sales, updated_at)
    VALUES (TIMESTAMP '2024-05-01 10:00:00', 'North', 3, 30.5, TIMESTAMP '2024-05-01 10:00:58'),
           (TIMESTAMP '2024-05-01 10:01:00', 'North', 1, 5, TIMESTAMP '2024-05-01 10:01:30'),
           (TIMESTAMP '2024-05-01 10:01:00', 'South', 2, 12, TIMESTAMP '2024-05-01 10:01:59')`);
}

/** The KPI figures by plain SQL on silver (not the views' SQL), averaged in integer cents. */
async function kpisBySql(w: Warehouse, where = '', params: Params = {}) {
  const r = (await w.query(`SELECT COUNT(*) AS n, SUM(sale_amount) AS total FROM silver_sales ${where}`, { params }))
    .rows[0];
  const n = Number(r.n);
  const cents = BigInt(parseCents(String(r.total)));
  return {
    revenue: String(r.total),
    transactions: String(n),
    'average-ticket': formatCents(averageCents(cents, n)),
  };
}

async function kpisOnPage(page: Page): Promise<Record<string, string>> {
  return page.$$eval('.kpi', (cards) =>
    Object.fromEntries(
      cards.map((c) => [(c as HTMLElement).dataset.kpi, (c.querySelector('.value') as HTMLElement).dataset.value]),
    ),
  );
}

/** The three sales cards, in the shape kpisBySql returns. */
async function salesKpisOnPage(page: Page): Promise<Record<string, string>> {
  const k = await kpisOnPage(page);
  return { revenue: k.revenue, transactions: k.transactions, 'average-ticket': k['average-ticket'] };
}

/** Per chart: SVG shapes drawn and the drawing's size (0 when hidden or missing). */
async function chartsOnPage(page: Page): Promise<Record<string, { paths: number; width: number; height: number }>> {
  return page.evaluate((ids) => {
    const out: Record<string, { paths: number; width: number; height: number }> = {};
    for (const id of ids) {
      const svg = document.getElementById(id)?.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      out[id] = { paths: svg?.querySelectorAll('path').length ?? 0, width: box?.width ?? 0, height: box?.height ?? 0 };
    }
    return out;
  }, CHARTS);
}

async function expectAllChartsDrawn(page: Page): Promise<void> {
  await page.waitForFunction(
    (ids) => ids.every((id) => (document.getElementById(id)?.querySelectorAll('svg path').length ?? 0) > 0),
    CHARTS,
  );
  for (const [id, c] of Object.entries(await chartsOnPage(page))) {
    expect(c.paths, id).toBeGreaterThan(2);
    expect(c.width, id).toBeGreaterThan(100);
    expect(c.height, id).toBeGreaterThan(100);
  }
}

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function expectCleanAndClose(w: WatchedPage): Promise<void> {
  await w.close();
  expect(w.foreign).toEqual([]);
  expect(w.errors).toEqual([]);
}

beforeAll(async () => {
  bqServer = await startBigQueryServer({ projectId: 'browser' });
  bq = await BigQueryWarehouse.open({ projectId: 'browser', dataset: 'gold', endpoint: bqServer.url });
  await bq.ensure();
  await fillGoldFixture(bq);
  await addLiveRows(bq);
  duckPath = join(dir(), 'gold.duckdb');
  const duck = await DuckDBWarehouse.open(duckPath);
  await duck.ensure();
  await fillGoldFixture(duck);
  await addLiveRows(duck);
  await duck.close();
  dashboard = startSalesflow([
    'dashboard',
    '--port',
    '0',
    '--refresh',
    '1s',
    '-w',
    'bigquery:browser.gold',
    '--bigquery-endpoint',
    bqServer.url,
  ]);
  [browser] = await Promise.all([launchBrowser(), dashboard.waitForStdout(/dashboard at http:\/\/127\.0\.0\.1:\d+\//)]);
  dashboardUrl = /dashboard at (\S+)/.exec(dashboard.stdout())![1];
}, 120_000);

afterAll(async () => {
  dashboard?.kill('SIGTERM');
  expect((await dashboard?.exited)?.code).toBe(0);
  await browser?.close();
  await bqServer?.stop();
});

// A real browser and a CLI process: generous limits for a loaded machine (a quiet one needs a few seconds per test).
describe('salesflow dashboard (served, on BigQuery)', { timeout: 120_000 }, () => {
  it('draws every chart, shows the KPIs plain SQL gives, asks nothing of any other host', async () => {
    const w = await browser.open(dashboardUrl.replace(/\/$/, ''));
    await w.page.goto(dashboardUrl);
    await w.page.waitForSelector('body[data-state="ready"]');
    await expectAllChartsDrawn(w.page);
    expect(await salesKpisOnPage(w.page)).toEqual(await kpisBySql(bq));
    expect(await w.page.textContent('[data-kpi="revenue"] .value')).toBe('1,060.04');
    expect((await kpisOnPage(w.page))['rows-quarantined']).toBe('3');
    const top = await w.page.$$eval('#table-top-customers tbody tr', (rows) =>
      rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent)),
    );
    const sqlTop = (
      await bq.query(`SELECT s.customer_id, c.name, SUM(s.sale_amount) AS spent FROM silver_sales s
        LEFT JOIN dim_customers c ON c.customer_id = s.customer_id
        GROUP BY s.customer_id, c.name ORDER BY spent DESC, s.customer_id LIMIT 10`)
    ).rows;
    expect(top.map((r) => [r[0], r[1], r[3]])).toEqual(
      sqlTop.map((r) => [String(r.customer_id), r.name ?? '–', String(r.spent)]),
    );
    expect(await w.page.textContent('#live-state')).toBe('ok');
    const origins = new Set(w.requests.map((u) => new URL(u).origin));
    expect([...origins]).toEqual([dashboardUrl.replace(/\/$/, '')]);
    await expectCleanAndClose(w);
  });

  it('filters by date range and region in the warehouse, and refreshes while rows arrive', async () => {
    const w = await browser.open(dashboardUrl.replace(/\/$/, ''));
    await w.page.goto(dashboardUrl);
    await w.page.waitForSelector('body[data-state="ready"]');
    await w.page.fill('#filter-from', '2024-02-01');
    await w.page.fill('#filter-to', '2024-02-29');
    await w.page.selectOption('#filter-region', 'South');
    // A timed refresh landing while the form is being edited keeps the edits (and the applied filters).
    const before = await w.page.getAttribute('body', 'data-generated-at');
    await w.page.waitForFunction((t) => document.body.dataset.generatedAt !== t, before);
    expect(await w.page.inputValue('#filter-from')).toBe('2024-02-01');
    expect(await w.page.inputValue('#filter-region')).toBe('South');
    expect(await w.page.textContent('#filter-text')).toBe('all dates, all regions');
    await w.page.click('#filters button[type="submit"]');
    await w.page.waitForFunction(() => document.getElementById('filter-text')?.textContent?.includes('South'));
    const where = 'WHERE transaction_date BETWEEN @f AND @t AND sales_region = @r';
    const params: Params = {
      f: { type: 'DATE', value: '2024-02-01' },
      t: { type: 'DATE', value: '2024-02-29' },
      r: 'South',
    };
    const filtered = await kpisBySql(bq, where, params);
    expect(filtered).toEqual({ revenue: '49.99', transactions: '2', 'average-ticket': '25.00' });
    expect(await salesKpisOnPage(w.page)).toEqual(filtered);
    expect(new URL(w.page.url()).searchParams.get('region')).toBe('South');

    // A pipeline lands a row: the next refresh (every second) shows it. The row goes again
    // afterwards: the other tests read the fixture's numbers.
    await bq.insertRows('silver_sales', [
      {
        insertId: 'T10',
        row: {
          transaction_id: 'T10',
          customer_id: 2,
          transaction_date: '2024-02-22',
          sale_amount: '10.01',
          product_category: 'Books',
          sales_region: 'South',
        },
      },
    ]);
    try {
      const after = await kpisBySql(bq, where, params);
      expect(after.revenue).toBe('60.00');
      await w.page.waitForFunction(
        (v) => document.querySelector('[data-kpi="revenue"] .value')?.getAttribute('data-value') === v,
        after.revenue,
      );
      expect(await salesKpisOnPage(w.page)).toEqual(after);
    } finally {
      await bq.run("DELETE FROM silver_sales WHERE transaction_id = 'T10'");
    }
    await expectCleanAndClose(w);
  });
});

describe('a served page whose warehouse becomes unreadable', { timeout: 120_000 }, () => {
  it('keeps its data and says why it is not refreshing', async () => {
    let unreadable = false;
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const server = await startDashboardServer({
      port: 0,
      refreshSeconds: 1,
      load: (filters) =>
        unreadable
          ? loadReportModel({ warehouse: 'bigquery:p.d', warehouseOptions: { endpoint }, filters })
          : loadReportModel({ warehouse: `duckdb:${duckPath}`, filters }),
    });
    try {
      const w = await browser.open(server.url.replace(/\/$/, ''));
      await w.page.goto(server.url);
      await w.page.waitForSelector('body[data-state="ready"]');
      expect((await salesKpisOnPage(w.page)).revenue).toBe('1060.04');
      unreadable = true;
      await w.page.waitForFunction(() =>
        document.getElementById('notice')?.textContent?.includes('Showing the data as of'),
      );
      expect(await w.page.textContent('#notice')).toMatch(/^Cannot reach the warehouse bigquery:p\.d: .*ECONNREFUSED/);
      expect((await salesKpisOnPage(w.page)).revenue).toBe('1060.04');
      await expectAllChartsDrawn(w.page);
      await expectCleanAndClose(w);
    } finally {
      await server.close();
    }
  });
});

describe('salesflow dashboard --out (a file opened from disk)', { timeout: 120_000 }, () => {
  it('is self-contained: charts and KPIs from the file alone, no request but the file itself', async () => {
    const out = join(dir(), 'report.html');
    const r = await runSalesflow(['dashboard', '--out', out, '-w', `duckdb:${duckPath}`]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(out);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).toContain('http-equiv="Content-Security-Policy"');
    const w = await browser.open();
    await w.page.goto(pathToFileURL(out).href);
    await w.page.waitForSelector('body[data-state="ready"]');
    await expectAllChartsDrawn(w.page);
    const duck = await DuckDBWarehouse.open(duckPath);
    try {
      expect(await salesKpisOnPage(w.page)).toEqual(await kpisBySql(duck));
    } finally {
      await duck.close();
    }
    expect(await w.page.isDisabled('#filter-region')).toBe(true);
    expect(w.requests).toEqual([pathToFileURL(out).href]);
    await expectCleanAndClose(w);
  });

  it('a filtered file, an empty warehouse and an unreachable BigQuery each say so on the page', async () => {
    const pages: Record<string, string> = {};
    const filtered = await loadReportModel({ warehouse: `duckdb:${duckPath}`, filters: { region: 'North' } });
    pages.filtered = join(dir(), 'north.html');
    await writeReportFile(filtered, pages.filtered);
    const emptyPath = join(dir(), 'empty.duckdb');
    const empty = await DuckDBWarehouse.open(emptyPath);
    await empty.ensure();
    pages.empty = join(dir(), 'empty.html');
    await writeReportFile(await buildReportModel(empty), pages.empty);
    await empty.close();
    const port = await closedPort();
    pages.unreachable = join(dir(), 'unreachable.html');
    await writeReportFile(
      await loadReportModel({ warehouse: 'bigquery:p.d', warehouseOptions: { endpoint: `http://127.0.0.1:${port}` } }),
      pages.unreachable,
    );
    const text: Record<string, string> = {};
    for (const [name, file] of Object.entries(pages)) {
      const w = await browser.open();
      await w.page.goto(pathToFileURL(file).href);
      await w.page.waitForSelector('body[data-state="ready"]');
      text[name] =
        `${await w.page.textContent('#notice')} | ${await w.page.textContent('#filter-text')} | ${await w.page.textContent('[data-kpi="revenue"] .value')}`;
      await expectCleanAndClose(w);
    }
    expect(text.filtered).toBe(' | all dates, North | 760.05');
    expect(text.empty).toBe(
      `The warehouse duckdb:${emptyPath} has no sales yet: load some with salesflow pipeline batch -s DIR (or run salesflow demo). | all dates, all regions | –`,
    );
    expect(text.unreachable).toMatch(
      /^Cannot reach the warehouse bigquery:p\.d: .*ECONNREFUSED.* \| all dates, all regions \| –$/,
    );
  });
});
