SELECT
  sales_region,
  COUNT(*) AS transactions,
  SUM(sale_amount) AS total_sales,
  CAST(DIV(2 * CAST(SUM(sale_amount) * 100 AS INT64) + COUNT(*), (2 * NULLIF(COUNT(*), 0))) AS NUMERIC) * NUMERIC '0.01' AS average_sale
FROM `${project}.${dataset}.silver_sales`
GROUP BY sales_region