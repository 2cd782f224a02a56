-- Sales per day between two dates (inclusive), all regions and categories together.
-- param: start=2024-01-01
-- param: end=2024-03-31
SELECT
  transaction_date,
  SUM(transactions) AS transactions,
  SUM(total_sales) AS total_sales
FROM gold_daily_sales
WHERE transaction_date BETWEEN @start AND @end
GROUP BY transaction_date
ORDER BY transaction_date
