WITH monthly AS (
  SELECT
    DATE_TRUNC(transaction_date, MONTH) AS month,
    product_category,
    COUNT(*) AS transactions,
    SUM(sale_amount) AS revenue,
    CAST(DIV(2 * CAST(SUM(sale_amount) * 100 AS INT64) + COUNT(*), (2 * NULLIF(COUNT(*), 0))) AS NUMERIC) * NUMERIC '0.01' AS average_ticket,
    CAST(SUM(sale_amount) * 100 AS INT64) AS revenue_cents
  FROM `${project}.${dataset}.silver_sales`
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
  CAST(SIGN(revenue_cents) * DIV(2 * ABS(revenue_cents) * 10000 + NULLIF(month_cents, 0), 2 * NULLIF(month_cents, 0)) AS NUMERIC) * NUMERIC '0.01' AS revenue_share_pct,
  CASE WHEN previous_month = DATE_SUB(month, INTERVAL 1 MONTH)
    THEN CAST(SIGN((revenue_cents - previous_cents)) * DIV(2 * ABS((revenue_cents - previous_cents)) * 10000 + NULLIF(previous_cents, 0), 2 * NULLIF(previous_cents, 0)) AS NUMERIC) * NUMERIC '0.01' END AS mom_growth_pct
FROM framed