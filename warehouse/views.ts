/**
 * The enriched silver view and the gold views, written once and emitted for each
 * dialect. Money stays exact: totals are NUMERIC/DECIMAL sums, and averages are
 * derived from the exact sum and count in integer cents, rounded half away from
 * zero (the same rule as shared/money.ts averageCents), never through DOUBLE;
 * shares and growth are percentages computed on integer cents and rounded the
 * same way — so both dialects report the same digits.
 *
 * The builders (salesTotalsSql, topCustomersSql, categoryPerformanceSql, …) also
 * take a row filter, so the dashboard runs the very SQL of a view over a date
 * range or region.
 */
import { ticketCategorySql } from './ticket-categories.ts';
import type { Dialect } from './warehouse.ts';

export const VIEW_NAMES = [
  'silver_sales_enriched',
  'gold_sales_by_category',
  'gold_avg_by_region',
  'gold_daily_sales',
  'gold_sales_by_day_region',
  'gold_top_customers',
  'gold_category_performance',
  'gold_load_health',
  'gold_quarantine_reasons',
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
 * returned as a 2-decimal NUMERIC (NULL over no rows). Sums are positive here
 * (amounts > 0), so floor((2·sum + n) / 2n) is the half-up rounding. Multiplying
 * by 0.01 keeps the value decimal (division would turn DECIMAL into DOUBLE on DuckDB).
 */
export function exactAverageSql(dialect: Dialect, column: string): string {
  const sumCents = `CAST(SUM(${column}) * 100 AS INT64)`;
  const twiceCount = '(2 * NULLIF(COUNT(*), 0))';
  if (dialect === 'bigquery') {
    return `CAST(DIV(2 * ${sumCents} + COUNT(*), ${twiceCount}) AS NUMERIC) * NUMERIC '0.01'`;
  }
  return `CAST(CAST((2 * ${sumCents} + COUNT(*)) // ${twiceCount} AS DECIMAL(38, 0)) * 0.01 AS DECIMAL(38, 2))`;
}

/**
 * 100 · numerator / denominator as a percentage with two decimals, rounded half
 * away from zero, computed on integers (e.g. cents) so both dialects agree to the
 * last digit; NULL when the denominator is NULL or 0. The denominator is positive.
 */
export function exactPercentSql(dialect: Dialect, numerator: string, denominator: string): string {
  const d = `NULLIF(${denominator}, 0)`;
  // Basis points of the ratio, rounded half away from zero: sign(n) · floor((2·|n|·10⁴ + d) / 2d).
  if (dialect === 'bigquery') {
    return `CAST(SIGN(${numerator}) * DIV(2 * ABS(${numerator}) * 10000 + ${d}, 2 * ${d}) AS NUMERIC) * NUMERIC '0.01'`;
  }
  return `CAST(CAST(sign(${numerator}) * ((2 * abs(${numerator}) * 10000 + ${d}) // (2 * ${d})) AS DECIMAL(38, 0)) * 0.01 AS DECIMAL(38, 2))`;
}

/** A filter on the rows a gold query reads: `where` is a fixed SQL condition whose values are bound @params. */
export interface RowFilter {
  where?: string;
}

const whereClause = (f: RowFilter = {}) => (f.where ? `\nWHERE ${f.where}` : '');

/** `source` grouped by `columns` (none: one row over everything): transactions, exact total and exact average. */
export function salesTotalsSql(
  dialect: Dialect,
  source: string,
  columns: readonly string[],
  averageName: string,
  filter: RowFilter = {},
): string {
  return `SELECT
  ${columns.map((c) => `${c},\n  `).join('')}COUNT(*) AS transactions,
  SUM(sale_amount) AS total_sales,
  ${exactAverageSql(dialect, 'sale_amount')} AS ${averageName}
FROM ${source}${whereClause(filter)}${columns.length > 0 ? `\nGROUP BY ${columns.join(', ')}` : ''}`;
}

/** Silver with the customer's name, city and home region (NULL when no dimension row) and the ticket category. */
export function salesEnrichedSql(ref: (name: string) => string): string {
  return `SELECT
  s.transaction_id,
  s.customer_id,
  s.transaction_date,
  s.sale_amount,
  s.product_category,
  s.sales_region,
  c.name AS customer_name,
  c.city AS customer_city,
  c.region AS customer_home_region,
  ${ticketCategorySql('s.sale_amount')} AS ticket_category
FROM ${ref('silver_sales')} s
LEFT JOIN ${ref('dim_customers')} c ON c.customer_id = s.customer_id`;
}

/**
 * Per customer: total spent, purchases, last purchase, with the name and city
 * from dim_customers (NULL without a row). Sales are grouped by customer_id
 * first and the names joined to the groups, not to every sale (about half the
 * time of grouping the enriched rows by id, name and city: 1M sales, 100k customers).
 */
export function topCustomersSql(ref: (name: string) => string, filter: RowFilter = {}): string {
  return `WITH spent AS (
  SELECT
    customer_id,
    SUM(sale_amount) AS total_spent,
    COUNT(*) AS purchases,
    MAX(transaction_date) AS last_purchase
  FROM ${ref('silver_sales')}${whereClause(filter).replaceAll('\n', '\n  ')}
  GROUP BY customer_id
)
SELECT
  s.customer_id,
  c.name AS customer_name,
  c.city AS customer_city,
  s.total_spent,
  s.purchases,
  s.last_purchase
FROM spent s
LEFT JOIN ${ref('dim_customers')} c ON c.customer_id = s.customer_id`;
}

/**
 * Per month × category: transactions, revenue, average ticket, share of the
 * month's revenue and growth over the category's previous calendar month (NULL
 * when that month has no sales of the category). Shares and growth are exact
 * percentages with two decimals (see exactPercentSql), from integer cents.
 */
export function categoryPerformanceSql(
  dialect: Dialect,
  ref: (name: string) => string,
  filter: RowFilter = {},
): string {
  const month =
    dialect === 'bigquery'
      ? 'DATE_TRUNC(transaction_date, MONTH)'
      : "CAST(date_trunc('month', transaction_date) AS DATE)";
  const monthBefore =
    dialect === 'bigquery' ? 'DATE_SUB(month, INTERVAL 1 MONTH)' : 'CAST(month - INTERVAL 1 MONTH AS DATE)';
  return `WITH monthly AS (
  SELECT
    ${month} AS month,
    product_category,
    COUNT(*) AS transactions,
    SUM(sale_amount) AS revenue,
    ${exactAverageSql(dialect, 'sale_amount')} AS average_ticket,
    CAST(SUM(sale_amount) * 100 AS INT64) AS revenue_cents
  FROM ${ref('silver_sales')}${whereClause(filter).replaceAll('\n', '\n  ')}
  GROUP BY month, product_category
),
framed AS (
  SELECT
    *,
    SUM(revenue_cents) OVER (PARTITION BY month) AS month_cents,
    LAG(month) OVER (PARTITION BY product_category ORDER BY month) AS previous_month,
    LAG(revenue_cents) OVER (PARTITION BY product_category ORDER BY month) AS previous_cents
  FROM monthly
)
SELECT
  month,
  product_category,
  transactions,
  revenue,
  average_ticket,
  ${exactPercentSql(dialect, 'revenue_cents', 'month_cents')} AS revenue_share_pct,
  CASE WHEN previous_month = ${monthBefore}
    THEN ${exactPercentSql(dialect, '(revenue_cents - previous_cents)', 'previous_cents')} END AS mom_growth_pct
FROM framed`;
}

/** Per load day (UTC) × status: files, and rows read, loaded, rejected and duplicate, from the load log. */
export function loadHealthSql(ref: (name: string) => string): string {
  return `SELECT
  CAST(started_at AS DATE) AS load_date,
  status,
  COUNT(*) AS files,
  CAST(SUM(COALESCE(rows_read, 0)) AS INT64) AS rows_read,
  CAST(SUM(COALESCE(rows_loaded, 0)) AS INT64) AS rows_loaded,
  CAST(SUM(COALESCE(rows_rejected, 0)) AS INT64) AS rows_rejected,
  CAST(SUM(COALESCE(rows_duplicate, 0)) AS INT64) AS rows_duplicate,
  MAX(finished_at) AS last_finished_at
FROM ${ref('load_log')}
GROUP BY load_date, status`;
}

/**
 * Quarantine reasons ranked: each row's `field: reason; …` list is split into
 * single reasons, with the quoted offending value the in-process validator
 * includes (`customer_id "abc" is not …`) removed, so rows failing the same way
 * count together. RANK: ties share a rank.
 */
export function quarantineReasonsSql(dialect: Dialect, ref: (name: string) => string): string {
  // A JSON-quoted value and the space after it: "…" with \" and \\ escapes inside.
  const quotedValue = '"(?:[^"\\\\]|\\\\.)*" ';
  const reasons =
    dialect === 'bigquery'
      ? `UNNEST(SPLIT(REGEXP_REPLACE(q.reasons, '${quotedValue.replaceAll('\\', '\\\\')}', ''), '; ')) AS reason`
      : `unnest(string_split(regexp_replace(q.reasons, '${quotedValue}', '', 'g'), '; ')) AS r(reason)`;
  return `SELECT
  RANK() OVER (ORDER BY COUNT(*) DESC) AS reason_rank,
  reason,
  COUNT(*) AS row_count,
  COUNT(DISTINCT q._source_file) AS files,
  MAX(q._ingested_at) AS last_seen
FROM ${ref('quarantine_sales')} q, ${reasons}
WHERE reason <> ''
GROUP BY reason`;
}

export const VIEWS: readonly ViewDef[] = [
  {
    name: 'silver_sales_enriched',
    description:
      'Silver sales with the customer (name, city, home region; NULL without a dim_customers row) and ticket_category (small / medium / large / premium by amount).',
    sql: (_d, ref) => salesEnrichedSql(ref),
  },
  {
    name: 'gold_sales_by_category',
    description: 'Per product category: transactions, total sales, average sale.',
    sql: (d, ref) => salesTotalsSql(d, ref('silver_sales'), ['product_category'], 'average_sale'),
  },
  {
    name: 'gold_avg_by_region',
    description: 'Per sales region: transactions, total sales, average sale.',
    sql: (d, ref) => salesTotalsSql(d, ref('silver_sales'), ['sales_region'], 'average_sale'),
  },
  {
    name: 'gold_daily_sales',
    description: 'Per date × region × category: transactions, total sales, average ticket.',
    sql: (d, ref) =>
      salesTotalsSql(
        d,
        ref('silver_sales'),
        ['transaction_date', 'sales_region', 'product_category'],
        'average_ticket',
      ),
  },
  {
    name: 'gold_sales_by_day_region',
    description: 'Per date × region: transactions, total sales, average ticket.',
    sql: (d, ref) => salesTotalsSql(d, ref('silver_sales'), ['transaction_date', 'sales_region'], 'average_ticket'),
  },
  {
    name: 'gold_top_customers',
    description:
      'Per customer, with name and city: total spent, purchases, last purchase date (rank with ORDER BY total_spent DESC).',
    sql: (_d, ref) => topCustomersSql(ref),
  },
  {
    name: 'gold_category_performance',
    description:
      'Per month × category: transactions, revenue, average ticket, share of the month (%), growth over the previous month (%).',
    sql: (d, ref) => categoryPerformanceSql(d, ref),
  },
  {
    name: 'gold_load_health',
    description: 'Pipeline health per load day × status: files and rows read, loaded, rejected, duplicate.',
    sql: (_d, ref) => loadHealthSql(ref),
  },
  {
    name: 'gold_quarantine_reasons',
    description: 'Quarantine reasons ranked by rows (offending values removed), with files and when last seen.',
    sql: (d, ref) => quarantineReasonsSql(d, ref),
  },
];

/** CREATE OR REPLACE VIEW for one gold view (on BigQuery with its description). */
export function createViewSql(dialect: Dialect, view: ViewDef, ref: (name: string) => string): string {
  const options = dialect === 'bigquery' ? `\nOPTIONS (description = ${JSON.stringify(view.description)})` : '';
  return `CREATE OR REPLACE VIEW ${ref(view.name)}${options} AS\n${view.sql(dialect, ref)}`;
}
