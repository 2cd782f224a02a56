/**
 * The dashboard's queries: the gold views' own SQL (warehouse/views.ts
 * builders) with the page's filters applied as a fixed condition over bound
 * parameters, plus the few pipeline-wide figures the KPI cards need.
 */
import type { Params } from '../warehouse.ts';
import type { Dialect } from '../warehouse.ts';
import {
  categoryPerformanceSql,
  loadHealthSql,
  quarantineReasonsSql,
  salesTotalsSql,
  topCustomersSql,
} from '../views.ts';
import { type ReportFilters, salesFilterSql } from './filters.ts';

export const TOP_CUSTOMERS = 10;
export const TOP_REASONS = 10;

export interface PanelQuery {
  sql: string;
  params: Params;
}

/** Panels over the sales, filtered by date range and region. */
export const SALES_PANELS = [
  'kpis',
  'salesByDay',
  'byCategory',
  'byRegion',
  'topCustomers',
  'categoryPerformance',
] as const;
/** Panels about the pipeline itself, never filtered. */
export const PIPELINE_PANELS = ['pipeline', 'loadHealth', 'quarantineReasons'] as const;
export type QueryPanel = (typeof SALES_PANELS)[number] | (typeof PIPELINE_PANELS)[number] | 'coverage';

export function dashboardQueries(
  dialect: Dialect,
  ref: (name: string) => string,
  filters: ReportFilters,
): Record<QueryPanel, PanelQuery> {
  const { where, params } = salesFilterSql(filters);
  const silver = ref('silver_sales');
  const sales = (sql: string): PanelQuery => ({ sql, params });
  const fixed = (sql: string): PanelQuery => ({ sql, params: {} });
  return {
    // What there is at all: the regions (for the filter) and the date range of the data.
    coverage:
      fixed(`SELECT sales_region, COUNT(*) AS transactions, MIN(transaction_date) AS first_date, MAX(transaction_date) AS last_date
FROM ${silver}
GROUP BY sales_region
ORDER BY sales_region`),
    kpis: sales(salesTotalsSql(dialect, silver, [], 'average_ticket', { where })),
    salesByDay: sales(
      `${salesTotalsSql(dialect, silver, ['transaction_date', 'sales_region'], 'average_ticket', { where })}\nORDER BY transaction_date, sales_region`,
    ),
    byCategory: sales(
      `${salesTotalsSql(dialect, silver, ['product_category'], 'average_ticket', { where })}\nORDER BY total_sales DESC, product_category`,
    ),
    byRegion: sales(
      `${salesTotalsSql(dialect, silver, ['sales_region'], 'average_ticket', { where })}\nORDER BY sales_region`,
    ),
    topCustomers: sales(
      `${topCustomersSql(ref, { where })}\nORDER BY total_spent DESC, customer_id\nLIMIT ${TOP_CUSTOMERS}`,
    ),
    categoryPerformance: sales(
      `SELECT * FROM (\n${categoryPerformanceSql(dialect, ref, { where })}\n) performance\nORDER BY month DESC, revenue DESC, product_category`,
    ),
    pipeline: fixed(`SELECT
  (SELECT COUNT(*) FROM ${silver}) AS silver_rows,
  (SELECT COUNT(*) FROM ${ref('quarantine_sales')}) AS quarantined_rows,
  (SELECT COUNT(*) FROM ${ref('load_log')}) AS load_attempts,
  (SELECT MAX(finished_at) FROM ${ref('load_log')}) AS last_load`),
    loadHealth: fixed(`${loadHealthSql(ref)}\nORDER BY load_date, status`),
    quarantineReasons: fixed(
      `${quarantineReasonsSql(dialect, ref)}\nORDER BY reason_rank, reason\nLIMIT ${TOP_REASONS}`,
    ),
  };
}
