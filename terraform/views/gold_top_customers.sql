SELECT
  customer_id,
  customer_name,
  customer_city,
  SUM(sale_amount) AS total_spent,
  COUNT(*) AS purchases,
  MAX(transaction_date) AS last_purchase
FROM `${project}.${dataset}.silver_sales_enriched`
GROUP BY customer_id, customer_name, customer_city