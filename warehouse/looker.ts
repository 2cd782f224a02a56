/**
 * Looker Studio Linking API URLs for the gold tables and views: one click opens
 * a new report (optionally a copy of a template report) whose data source is
 * that BigQuery table or view. The parameters are the documented ones
 * (`ds.ds0.connector=bigQuery`, `type=TABLE`, projectId, datasetId, tableId,
 * billingProjectId, `r.reportName`, `c.reportId`), each URL-encoded.
 */
import { UsageError } from '../shared/errors.ts';
import { TABLES } from './tables.ts';
import { VIEWS } from './views.ts';

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

/** The gold tables and views a Looker Studio report can read, with the chart each suits best. */
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
  gold_sales_per_minute:
    'time series: window_start (minute) as dimension, sales_region as breakdown, total_sales (or transactions) as metric; a scorecard of MAX(updated_at) for freshness',
};

/** Gold is what analysts read: the gold_* views, then the gold_* tables the streaming pipeline keeps. */
const GOLD: readonly { name: string; description: string }[] = [...VIEWS, ...TABLES].filter((t) =>
  t.name.startsWith('gold_'),
);

export const LOOKER_TABLES: readonly string[] = GOLD.map((t) => t.name);

export interface LookerLink {
  table: string;
  description: string;
  chart: string;
  url: string;
}

/** Links for every gold table and view, or for the one `table` names. */
export function lookerLinks(
  o: Omit<LookerLinkOptions, 'tableId' | 'reportName'> & { table?: string; reportName?: string },
): LookerLink[] {
  if (o.table !== undefined && !LOOKER_TABLES.includes(o.table)) {
    throw new UsageError(`--table ${o.table}: not a gold table or view; choose one of ${LOOKER_TABLES.join(', ')}`, {
      field: 'table',
    });
  }
  return GOLD.filter((t) => o.table === undefined || t.name === o.table).map(({ name, description }) => ({
    table: name,
    description,
    chart: LOOKER_CHARTS[name] ?? '',
    url: lookerStudioUrl({ ...o, tableId: name, reportName: o.reportName }),
  }));
}
