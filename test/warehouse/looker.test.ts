/** The Looker Studio Linking API URL builder and `salesflow looker`. */
import { describe, expect, it } from 'vitest';
import { LOOKER_CHARTS, LOOKER_TABLES, lookerLinks, lookerStudioUrl } from '../../warehouse/looker.ts';
import { TABLES } from '../../warehouse/tables.ts';
import { VIEWS } from '../../warehouse/views.ts';
import { runSalesflow } from '../util/cli.ts';

describe('lookerStudioUrl', () => {
  it('carries the documented data source parameters for a BigQuery table', () => {
    const url = new URL(lookerStudioUrl({ projectId: 'my-proj', datasetId: 'sales', tableId: 'gold_top_customers' }));
    expect(`${url.origin}${url.pathname}`).toBe('https://lookerstudio.google.com/reporting/create');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      'r.reportName': 'salesflow — gold_top_customers',
      'ds.ds0.connector': 'bigQuery',
      'ds.ds0.type': 'TABLE',
      'ds.ds0.projectId': 'my-proj',
      'ds.ds0.datasetId': 'sales',
      'ds.ds0.tableId': 'gold_top_customers',
      'ds.ds0.billingProjectId': 'my-proj',
    });
  });

  it('percent-encodes every value and adds a template report and billing project when given', () => {
    const url = lookerStudioUrl({
      projectId: 'p',
      datasetId: 'd',
      tableId: 't',
      billingProjectId: 'billing-1',
      reportName: 'Sales & returns: 50% = "ok"?',
      templateReportId: 'abc/def',
    });
    expect(url).toBe(
      'https://lookerstudio.google.com/reporting/create?c.reportId=abc%2Fdef' +
        '&r.reportName=Sales%20%26%20returns%3A%2050%25%20%3D%20%22ok%22%3F' +
        '&ds.ds0.connector=bigQuery&ds.ds0.type=TABLE&ds.ds0.projectId=p&ds.ds0.datasetId=d&ds.ds0.tableId=t' +
        '&ds.ds0.billingProjectId=billing-1',
    );
    expect(new URL(url).searchParams.get('r.reportName')).toBe('Sales & returns: 50% = "ok"?');
  });

  it('has a link, a description and a chart suggestion for every gold view and gold table, and refuses anything else', () => {
    // Gold is every gold_* object analysts read: the views and the stream's per-minute table.
    const gold = [...VIEWS, ...TABLES].filter((t) => t.name.startsWith('gold_'));
    expect([...LOOKER_TABLES].sort()).toEqual(gold.map((t) => t.name).sort());
    expect(LOOKER_TABLES).toContain('gold_sales_per_minute');
    const links = lookerLinks({ projectId: 'p', datasetId: 'd' });
    expect(links.map((l) => l.table)).toEqual(LOOKER_TABLES);
    for (const l of links) {
      expect(LOOKER_CHARTS[l.table], l.table).toBeTruthy();
      expect(l.description, l.table).toBe(gold.find((t) => t.name === l.table)?.description);
      expect(l.url).toBe(lookerStudioUrl({ projectId: 'p', datasetId: 'd', tableId: l.table }));
    }
    expect(() => lookerLinks({ projectId: 'p', datasetId: 'd', table: 'silver_sales' })).toThrow(
      /--table silver_sales: not a gold table or view; choose one of gold_sales_by_category, .*gold_sales_per_minute/,
    );
  });

  it('links the real-time table gold_sales_per_minute like a view: a BigQuery TABLE data source', () => {
    const [live] = lookerLinks({ projectId: 'my-proj', datasetId: 'sales', table: 'gold_sales_per_minute' });
    expect(live.chart).toMatch(/^time series: window_start/);
    expect(Object.fromEntries(new URL(live.url).searchParams)).toEqual({
      'r.reportName': 'salesflow — gold_sales_per_minute',
      'ds.ds0.connector': 'bigQuery',
      'ds.ds0.type': 'TABLE',
      'ds.ds0.projectId': 'my-proj',
      'ds.ds0.datasetId': 'sales',
      'ds.ds0.tableId': 'gold_sales_per_minute',
      'ds.ds0.billingProjectId': 'my-proj',
    });
  });
});

describe('salesflow looker', () => {
  it('prints one URL per gold table or view for bigquery:P.D, and refuses a DuckDB warehouse (exit 2)', async () => {
    const ok = await runSalesflow([
      'looker',
      '-w',
      'bigquery:my-proj.sales',
      '-t',
      'gold_sales_by_day_region',
      '-f',
      'json',
    ]);
    expect(ok.code).toBe(0);
    const [link] = JSON.parse(ok.stdout);
    expect(link.url).toBe(
      lookerStudioUrl({ projectId: 'my-proj', datasetId: 'sales', tableId: 'gold_sales_by_day_region' }),
    );
    const live = await runSalesflow(['looker', '-w', 'bigquery:my-proj.sales', '-t', 'gold_sales_per_minute']);
    expect(live.code, live.stderr).toBe(0);
    expect(live.stdout).toContain(
      lookerStudioUrl({ projectId: 'my-proj', datasetId: 'sales', tableId: 'gold_sales_per_minute' }),
    );
    const duck = await runSalesflow(['looker', '-w', 'duckdb:x.duckdb']);
    expect(duck.code).toBe(2);
    expect(duck.stderr).toContain('Looker Studio reads BigQuery');
  });
});
