/**
 * The gold views, written once and emitted for each dialect. Money stays exact:
 * totals are NUMERIC/DECIMAL sums, and averages are derived from the exact sum
 * and count in integer cents, rounded half away from zero (the same rule as
 * shared/money.ts averageCents), never through DOUBLE — so both dialects report
 * the same cents.
 */
import type { Dialect } from './warehouse.ts';

export const VIEW_NAMES = [
  'gold_sales_by_category',
  'gold_avg_by_region',
  'gold_daily_sales',
  'gold_top_customers',
] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

export interface ViewDef {
  name: ViewName;
  description: string;
  /** SELECT text for the dialect; `ref` names tables as that dialect needs. */
  sql(dialect: Dialect, ref: (name: string) => string): string;
}

/**
 * Exact average of a NUMERIC(…, 2) column in cents, rounded half away from zero,
 * returned as a 2-decimal NUMERIC. Sums are positive here (amounts > 0), so
 * floor((2·sum + n) / 2n) is the half-up rounding. Multiplying by 0.01 keeps the
 * value decimal (division would turn DECIMAL into DOUBLE on DuckDB).
 */
export function exactAverageSql(dialect: Dialect, column: string): string {
  const sumCents = `CAST(SUM(${column}) * 100 AS INT64)`;
  if (dialect === 'bigquery') {
    return `CAST(DIV(2 * ${sumCents} + COUNT(*), 2 * COUNT(*)) AS NUMERIC) * NUMERIC '0.01'`;
  }
  return `CAST(CAST((2 * ${sumCents} + COUNT(*)) // (2 * COUNT(*)) AS DECIMAL(38, 0)) * 0.01 AS DECIMAL(38, 2))`;
}

/** Silver grouped by `columns`: transactions, exact total and exact average per group. */
function salesTotalsSql(
  dialect: Dialect,
  ref: (name: string) => string,
  columns: readonly string[],
  averageName: string,
): string {
  return `SELECT
  ${columns.map((c) => `${c},\n  `).join('')}COUNT(*) AS transactions,
  SUM(sale_amount) AS total_sales,
  ${exactAverageSql(dialect, 'sale_amount')} AS ${averageName}
FROM ${ref('silver_sales')}
GROUP BY ${columns.join(', ')}`;
}

export const VIEWS: readonly ViewDef[] = [
  {
    name: 'gold_sales_by_category',
    description: 'Per product category: transactions, total sales, average sale.',
    sql: (d, ref) => salesTotalsSql(d, ref, ['product_category'], 'average_sale'),
  },
  {
    name: 'gold_avg_by_region',
    description: 'Per sales region: transactions, total sales, average sale.',
    sql: (d, ref) => salesTotalsSql(d, ref, ['sales_region'], 'average_sale'),
  },
  {
    name: 'gold_daily_sales',
    description: 'Per date × region × category: transactions, total sales, average ticket.',
    sql: (d, ref) => salesTotalsSql(d, ref, ['transaction_date', 'sales_region', 'product_category'], 'average_ticket'),
  },
  {
    name: 'gold_top_customers',
    description: 'Per customer: total spent, purchases, last purchase date (rank with ORDER BY total_spent DESC).',
    sql: (_d, ref) => `SELECT
  customer_id,
  SUM(sale_amount) AS total_spent,
  COUNT(*) AS purchases,
  MAX(transaction_date) AS last_purchase
FROM ${ref('silver_sales')}
GROUP BY customer_id`,
  },
];

/** CREATE OR REPLACE VIEW for one gold view (on BigQuery with its description). */
export function createViewSql(dialect: Dialect, view: ViewDef, ref: (name: string) => string): string {
  const options = dialect === 'bigquery' ? `\nOPTIONS (description = ${JSON.stringify(view.description)})` : '';
  return `CREATE OR REPLACE VIEW ${ref(view.name)}${options} AS\n${view.sql(dialect, ref)}`;
}
