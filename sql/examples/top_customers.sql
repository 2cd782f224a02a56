-- The biggest customers: total spent, number of purchases, last purchase date.
-- param: limit=10
SELECT customer_id, total_spent, purchases, last_purchase
FROM gold_top_customers
ORDER BY total_spent DESC, customer_id
LIMIT @limit
