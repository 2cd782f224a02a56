SELECT
  customer_id,
  SUM(sale_amount) AS total_spent,
  COUNT(*) AS purchases,
  MAX(transaction_date) AS last_purchase
FROM `${project}.${dataset}.silver_sales`
GROUP BY customer_id