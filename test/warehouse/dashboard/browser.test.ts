/// <reference lib="dom" />
/**
 * The dashboard in a real browser (Debian chromium through playwright-core):
 * the page `salesflow dashboard` serves (here on BigQuery through the test
 * server) and the file `salesflow dashboard --out` writes (here from DuckDB),
 * each checked for: every chart drawn, every element's figures — the six KPI
 * cards, the values inside each chart (read from its ECharts instance), the top
 * customers and category performance tables, the live panel — equal to the same
 * figures computed by plain SQL, the filters changing them correctly, a refresh
 * picking up new rows, no request to any other host, no console errors.
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

/** The filters as this file's own plain SQL condition (not the dashboard's filter code). */
interface Filters {
  from?: string;
  to?: string;
  region?: string;
}

function plainWhere(f: Filters, prefix = ''): { where: string; params: Params } {
  const conditions: string[] = [];
  const params: Record<string, Params[string]> = {};
  if (f.from) {
    conditions.push(`${prefix}transaction_date >= @f`);
    params.f = { type: 'DATE', value: f.from };
  }
  if (f.to) {
    conditions.push(`${prefix}transaction_date <= @t`);
    params.t = { type: 'DATE', value: f.to };
  }
  if (f.region) {
    conditions.push(`${prefix}sales_region = @r`);
    params.r = f.region;
  }
  return { where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

/** What a page shows, element by element, in one comparable shape (numbers as the charts hold them). */
interface PageFigures {
  /** Every KPI card's value (data-value: the model's cell as text). */
  kpis: Record<string, string>;
  /** [date, region, total] points of the sales-by-day lines. */
  salesByDay: [string, string, number][];
  /** [category, total] bars, in the page's order. */
  byCategory: [string, number][];
  /** [region, total] bars, in the page's order. */
  byRegion: [string, number][];
  /** [load day, status, files] stacks (a status without files that day is not a point). */
  loadHealth: [string, string, number][];
  /** [reason, rows], ranked. */
  quarantine: [string, number][];
  /** [HH:MM, region, total] points of the live lines. */
  live: [string, string, number][];
  /** Table cells as shown. */
  topCustomers: string[][];
  categoryPerformance: { caption: string; rows: string[][] };
}

const byText = (a: unknown[], b: unknown[]) => JSON.stringify(a).localeCompare(JSON.stringify(b));

/** Every element's values, read from the page in one step (a refresh re-renders between steps, never within one). */
async function figuresOnPage(page: Page): Promise<PageFigures> {
  type Axis = { data?: unknown[] };
  type Option = { xAxis?: Axis[]; yAxis?: Axis[]; series?: { name?: string; data?: unknown[] }[] };
  const raw = await page.evaluate((ids) => {
    const { echarts } = window as unknown as {
      echarts: { getInstanceByDom(el: HTMLElement): { getOption(): unknown } | undefined };
    };
    const charts: Record<string, unknown> = {};
    for (const id of ids) {
      const el = document.getElementById(id);
      charts[id] = (el && echarts.getInstanceByDom(el)?.getOption()) ?? null;
    }
    const cells = (id: string) =>
      Array.from(document.querySelectorAll(`#${id} tbody tr`), (r) =>
        Array.from(r.querySelectorAll('td'), (td) => td.textContent ?? ''),
      );
    return {
      kpis: Object.fromEntries(
        Array.from(document.querySelectorAll('.kpi'), (c) => [
          (c as HTMLElement).dataset.kpi,
          (c.querySelector('.value') as HTMLElement).dataset.value,
        ]),
      ),
      charts,
      topCustomers: cells('table-top-customers'),
      categoryPerformance: {
        caption: document.getElementById('category-performance-month')?.textContent ?? '',
        rows: cells('table-category-performance'),
      },
    };
  }, CHARTS);
  const option = (id: string) => (raw.charts[id] ?? { series: [] }) as Option;
  /** A category axis × series grid as [category, series name, value] points, empty cells left out. */
  const points = (id: string) => {
    const o = option(id);
    const categories = o.xAxis?.[0]?.data ?? [];
    return (o.series ?? [])
      .flatMap((ser) =>
        (ser.data ?? []).map((v, i) => [String(categories[i]), String(ser.name), v] as [string, string, number]),
      )
      .filter(([, , v]) => v !== null && v !== 0)
      .sort(byText);
  };
  const bars = (id: string, axis: 'xAxis' | 'yAxis') => {
    const o = option(id);
    const categories = o[axis]?.[0]?.data ?? [];
    return (o.series?.[0]?.data ?? []).map((v, i) => [String(categories[i]), v as number] as [string, number]);
  };
  return {
    kpis: raw.kpis as Record<string, string>,
    salesByDay: points('chart-sales-by-day'),
    byCategory: bars('chart-by-category', 'xAxis'),
    byRegion: bars('chart-by-region', 'xAxis'),
    loadHealth: points('chart-load-health'),
    // Drawn bottom-up: the first reason is the top bar, the last category.
    quarantine: bars('chart-quarantine', 'yAxis').reverse(),
    live: points('chart-live'),
    topCustomers: raw.topCustomers,
    categoryPerformance: raw.categoryPerformance,
  };
}

const percent = (numerator: bigint, denominator: bigint) => formatCents(averageCents(numerator * 10_000n, denominator));

/**
 * The same figures by plain SQL on the tables (not the views' SQL, not the
 * dashboard's queries): sums and counts in SQL, averages and percentages in
 * integer cents here, reasons split here.
 */
async function figuresBySql(w: Warehouse, filters: Filters = {}): Promise<PageFigures> {
  const { where, params } = plainWhere(filters);
  const q = async (sql: string, p: Params = params) => (await w.query(sql, { params: p })).rows;
  const sales = await kpisBySql(w, where, params);
  const [pipeline] = await q(
    `SELECT (SELECT COUNT(*) FROM silver_sales) AS silver, (SELECT COUNT(*) FROM quarantine_sales) AS quarantined,
      (SELECT MAX(finished_at) FROM load_log) AS last_load`,
    {},
  );
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const kpis = {
    ...sales,
    'rows-loaded': text(pipeline.silver),
    'rows-quarantined': text(pipeline.quarantined),
    'last-load': text(pipeline.last_load),
  };
  const salesByDay = (
    await q(`SELECT transaction_date, sales_region, SUM(sale_amount) AS total FROM silver_sales ${where}
      GROUP BY transaction_date, sales_region`)
  )
    .map((r) => [String(r.transaction_date), String(r.sales_region), Number(r.total)] as [string, string, number])
    .sort(byText);
  const byCategory = (
    await q(`SELECT product_category, SUM(sale_amount) AS total FROM silver_sales ${where}
      GROUP BY product_category ORDER BY total DESC, product_category`)
  ).map((r) => [String(r.product_category), Number(r.total)] as [string, number]);
  const byRegion = (
    await q(`SELECT sales_region, SUM(sale_amount) AS total FROM silver_sales ${where}
      GROUP BY sales_region ORDER BY sales_region`)
  ).map((r) => [String(r.sales_region), Number(r.total)] as [string, number]);
  const loadHealth = (
    await q('SELECT CAST(started_at AS DATE) AS day, status, COUNT(*) AS files FROM load_log GROUP BY day, status', {})
  )
    .map((r) => [String(r.day), String(r.status), Number(r.files)] as [string, string, number])
    .sort(byText);
  // Each row's "field: reason; …" list, the quoted offending value dropped, counted per single reason.
  const reasonRows = new Map<string, number>();
  for (const r of await q('SELECT reasons FROM quarantine_sales', {})) {
    for (const reason of String(r.reasons)
      .replace(/"(?:[^"\\]|\\.)*" /g, '')
      .split('; ')) {
      reasonRows.set(reason, (reasonRows.get(reason) ?? 0) + 1);
    }
  }
  const quarantine = [...reasonRows].sort(([a, n], [b, m]) => m - n || (a < b ? -1 : 1)).slice(0, 10) as [
    string,
    number,
  ][];
  const live = (
    await q(
      `SELECT window_start, sales_region, total_sales FROM gold_sales_per_minute${filters.region ? ' WHERE sales_region = @r' : ''}`,
      filters.region ? { r: filters.region } : {},
    )
  )
    .map(
      (r) =>
        [String(r.window_start).slice(11, 16), String(r.sales_region), Number(r.total_sales)] as [
          string,
          string,
          number,
        ],
    )
    .sort(byText);
  const topCustomers = (
    await q(`SELECT s.customer_id, c.name, c.city, SUM(s.sale_amount) AS spent, COUNT(*) AS purchases,
        MAX(s.transaction_date) AS last_purchase
      FROM silver_sales s LEFT JOIN dim_customers c ON c.customer_id = s.customer_id ${plainWhere(filters, 's.').where}
      GROUP BY s.customer_id, c.name, c.city ORDER BY spent DESC, s.customer_id LIMIT 10`)
  ).map((r) => [
    String(r.customer_id),
    text(r.name) || '–',
    text(r.city) || '–',
    String(r.spent),
    String(r.purchases),
    String(r.last_purchase),
  ]);
  // Category performance: the latest month in range, share of that month, growth over the calendar month before.
  const months = await q(`SELECT EXTRACT(YEAR FROM transaction_date) AS y, EXTRACT(MONTH FROM transaction_date) AS m,
      product_category, COUNT(*) AS n, SUM(sale_amount) AS revenue
    FROM silver_sales ${where} GROUP BY y, m, product_category`);
  const cells = months.map((r) => ({
    month: Number(r.y) * 12 + Number(r.m) - 1,
    category: String(r.product_category),
    n: Number(r.n),
    cents: BigInt(parseCents(String(r.revenue))),
  }));
  const latest = Math.max(...cells.map((c) => c.month));
  const current = cells
    .filter((c) => c.month === latest)
    .sort((a, b) => (b.cents > a.cents ? 1 : b.cents < a.cents ? -1 : a.category < b.category ? -1 : 1));
  const monthCents = current.reduce((sum, c) => sum + c.cents, 0n);
  const monthText = (m: number) => `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01`;
  const categoryPerformance = {
    caption: current.length ? `month of ${monthText(latest)}` : '',
    rows: current.map((c) => {
      const before = cells.find((p) => p.month === latest - 1 && p.category === c.category);
      return [
        c.category,
        formatCents(c.cents),
        `${percent(c.cents, monthCents)} %`,
        formatCents(averageCents(c.cents, c.n)),
        before ? `${percent(c.cents - before.cents, before.cents)} %` : '–',
      ];
    }),
  };
  return { kpis, salesByDay, byCategory, byRegion, loadHealth, quarantine, live, topCustomers, categoryPerformance };
}

/** The KPI figures by plain SQL on silver (not the views' SQL), averaged in integer cents. */
async function kpisBySql(w: Warehouse, where = '', params: Params = {}) {
  const r = (await w.query(`SELECT COUNT(*) AS n, SUM(sale_amount) AS total FROM silver_sales ${where}`, { params }))
    .rows[0];
  const n = Number(r.n);
  // No sales: no total and no average (the cards show a dash, their data-value is empty).
  if (n === 0) return { revenue: '', transactions: '0', 'average-ticket': '' };
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
    const figures = await figuresOnPage(w.page);
    expect(figures).toEqual(await figuresBySql(bq));
    // Worked out by hand on the fixture, so neither side can be empty or wrong alike.
    expect(figures.kpis).toMatchObject({
      revenue: '1060.04',
      transactions: '9',
      'average-ticket': '117.78',
      'rows-loaded': '9',
      'rows-quarantined': '3',
    });
    expect(await w.page.textContent('[data-kpi="revenue"] .value')).toBe('1,060.04');
    expect(await w.page.textContent('[data-kpi="last-load"] .value')).toBe('2024-05-02 09:00:30 UTC');
    expect(figures.byRegion).toEqual([
      ['East', 50],
      ['North', 760.05],
      ['South', 249.99],
    ]);
    expect(figures.byCategory).toEqual([
      ['Electronics', 850],
      ['Books', 210.04],
    ]);
    expect(figures.loadHealth).toEqual([
      ['2024-05-01', 'loaded', 1],
      ['2024-05-01', 'partial', 1],
      ['2024-05-02', 'rejected', 1],
    ]);
    expect(figures.quarantine).toEqual([
      ['customer_id is not a whole number', 2],
      ['sale_amount must be greater than 0', 1],
      ['sale_amount: is missing or not greater than 0', 1],
    ]);
    expect(figures.categoryPerformance).toEqual({
      caption: 'month of 2024-04-01',
      rows: [['Electronics', '50.00', '100.00 %', '50.00', '–']],
    });
    expect(figures.live).toEqual([
      ['10:00', 'North', 30.5],
      ['10:01', 'North', 5],
      ['10:01', 'South', 12],
    ]);
    expect(figures.salesByDay).toHaveLength(8);
    expect(figures.topCustomers[0]).toEqual(['3', '–', '–', '650.00', '2', '2024-04-01']);
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
    const figures = await figuresOnPage(w.page);
    expect(figures).toEqual(await figuresBySql(bq, { from: '2024-02-01', to: '2024-02-29', region: 'South' }));
    expect(figures.byRegion).toEqual([['South', 49.99]]);
    expect(figures.live).toEqual([['10:01', 'South', 12]]);
    // The pipeline's panels are about every load: the filters leave them as they are.
    expect(figures.kpis['rows-loaded']).toBe('9');
    expect(figures.quarantine).toHaveLength(3);
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
      expect(await figuresOnPage(w.page)).toEqual(await figuresBySql(duck));
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
    const emptyBySql = await figuresBySql(empty);
    await empty.close();
    const port = await closedPort();
    pages.unreachable = join(dir(), 'unreachable.html');
    await writeReportFile(
      await loadReportModel({ warehouse: 'bigquery:p.d', warehouseOptions: { endpoint: `http://127.0.0.1:${port}` } }),
      pages.unreachable,
    );
    const text: Record<string, string> = {};
    const figures: Record<string, PageFigures> = {};
    for (const [name, file] of Object.entries(pages)) {
      const w = await browser.open();
      await w.page.goto(pathToFileURL(file).href);
      await w.page.waitForSelector('body[data-state="ready"]');
      figures[name] = await figuresOnPage(w.page);
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
    const duck = await DuckDBWarehouse.open(duckPath);
    try {
      expect(figures.filtered).toEqual(await figuresBySql(duck, { region: 'North' }));
    } finally {
      await duck.close();
    }
    // March against February, in North only: 20.00 after 100.00.
    expect(figures.filtered.categoryPerformance).toEqual({
      caption: 'month of 2024-03-01',
      rows: [['Books', '20.00', '100.00 %', '20.00', '-80.00 %']],
    });
    expect(figures.empty).toEqual(emptyBySql);
    // Nothing could be read: no element shows a figure.
    expect(figures.unreachable).toEqual({
      kpis: Object.fromEntries(
        ['revenue', 'transactions', 'average-ticket', 'rows-loaded', 'rows-quarantined', 'last-load'].map((k) => [
          k,
          '',
        ]),
      ),
      salesByDay: [],
      byCategory: [],
      byRegion: [],
      loadHealth: [],
      quarantine: [],
      live: [],
      topCustomers: [],
      categoryPerformance: { caption: '', rows: [] },
    });
  });
});
