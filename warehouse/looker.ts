/**
 * Looker Studio Linking API URLs for the gold views: one click opens a new
 * report (optionally a copy of a template report) whose data source is that
 * BigQuery view. The parameters are the documented ones
 * (`ds.ds0.connector=bigQuery`, `type=TABLE`, projectId, datasetId, tableId,
 * billingProjectId, `r.reportName`, `c.reportId`), each URL-encoded.
 */
import { UsageError } from '../shared/errors.ts';
import { VIEW_NAMES, VIEWS } from './views.ts';

export const LOOKER_CREATE_URL = 'https://lookerstudio.google.com/reporting/create';

export interface LookerLinkOptions {
  projectId: string;
  datasetId: string;
  tableId: string;
  /** Project billed for the report's queries (default: projectId). */
  billingProjectId?: string;
  /** Name of the new report (default: "salesflow — <table>"). */
  reportName?: string;
  /** A template report to copy (its data source ds0 is replaced by this table). */
  templateReportId?: string;
}

/** One Linking API URL. */
export function lookerStudioUrl(o: LookerLinkOptions): string {
  const params: [string, string][] = [
    ...(o.templateReportId ? ([['c.reportId', o.templateReportId]] as [string, string][]) : []),
    ['r.reportName', o.reportName ?? `salesflow — ${o.tableId}`],
    ['ds.ds0.connector', 'bigQuery'],
    ['ds.ds0.type', 'TABLE'],
    ['ds.ds0.projectId', o.projectId],
    ['ds.ds0.datasetId', o.datasetId],
    ['ds.ds0.tableId', o.tableId],
    ['ds.ds0.billingProjectId', o.billingProjectId ?? o.projectId],
  ];
  return `${LOOKER_CREATE_URL}?${params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
}

/** The gold views a Looker Studio report can read, with the chart each suits best. */
export const LOOKER_CHARTS: Readonly<Record<string, string>> = {
  gold_sales_by_day_region:
    'time series: transaction_date as dimension, sales_region as breakdown, total_sales (or transactions) as metric',
  gold_daily_sales: 'time series or stacked area by product_category; pivot table date × region × category',
  gold_sales_by_category: 'bar chart (product_category × total_sales) or pie chart of total_sales',
  gold_avg_by_region: 'bar chart (sales_region × average_sale) or geo-free table with transactions',
  gold_top_customers: 'table sorted by total_spent, with customer_name, purchases, last_purchase',
  gold_category_performance:
    'combo chart per month: revenue bars by product_category, revenue_share_pct as 100% stacked bars, mom_growth_pct in a table with conditional colours',
  gold_load_health:
    'stacked column chart: load_date × files, status as breakdown; scorecards of rows_loaded / rows_rejected',
  gold_quarantine_reasons: 'horizontal bar chart of row_count by reason (sorted by reason_rank), or a table',
};

export const LOOKER_VIEWS: readonly string[] = VIEW_NAMES.filter((v) => v.startsWith('gold_'));

export interface LookerLink {
  table: string;
  description: string;
  chart: string;
  url: string;
}

/** Links for every gold view, or for the one `table` names. */
export function lookerLinks(
  o: Omit<LookerLinkOptions, 'tableId' | 'reportName'> & { table?: string; reportName?: string },
): LookerLink[] {
  if (o.table !== undefined && !LOOKER_VIEWS.includes(o.table)) {
    throw new UsageError(`--table ${o.table}: not a gold view; choose one of ${LOOKER_VIEWS.join(', ')}`, {
      field: 'table',
    });
  }
  return (o.table ? [o.table] : LOOKER_VIEWS).map((table) => ({
    table,
    description: VIEWS.find((v) => v.name === table)?.description ?? '',
    chart: LOOKER_CHARTS[table] ?? '',
    url: lookerStudioUrl({ ...o, tableId: table, reportName: o.reportName }),
  }));
}
