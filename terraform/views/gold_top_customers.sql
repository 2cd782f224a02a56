WITH spent AS (
  SELECT
    customer_id,
    SUM(sale_amount) AS total_spent,
    COUNT(*) AS purchases,
    MAX(transaction_date) AS last_purchase
  FROM `${project}.${dataset}.silver_sales`
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
LEFT JOIN `${project}.${dataset}.dim_customers` c ON c.customer_id = s.customer_id