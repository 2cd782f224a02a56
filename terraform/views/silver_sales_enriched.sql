SELECT
  s.transaction_id,
  s.customer_id,
  s.transaction_date,
  s.sale_amount,
  s.product_category,
  s.sales_region,
  c.name AS customer_name,
  c.city AS customer_city,
  c.region AS customer_home_region,
  CASE WHEN s.sale_amount * 100 < 2500 THEN 'small' WHEN s.sale_amount * 100 < 10000 THEN 'medium' WHEN s.sale_amount * 100 < 50000 THEN 'large' ELSE 'premium' END AS ticket_category
FROM `${project}.${dataset}.silver_sales` s
LEFT JOIN `${project}.${dataset}.dim_customers` c ON c.customer_id = s.customer_id