-- Monthly totals per region for one year.
-- param: year=2024
SELECT
  EXTRACT(YEAR FROM transaction_date) AS year,
  EXTRACT(MONTH FROM transaction_date) AS month,
  sales_region,
  SUM(transactions) AS transactions,
  SUM(total_sales) AS total_sales
FROM gold_daily_sales
WHERE EXTRACT(YEAR FROM transaction_date) = @year
GROUP BY year, month, sales_region
ORDER BY year, month, sales_region
