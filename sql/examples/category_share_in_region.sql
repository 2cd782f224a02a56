-- Each category's sales in one region, and how many distinct customers bought it.
-- param: region=North
SELECT
  product_category,
  COUNT(*) AS transactions,
  COUNT(DISTINCT customer_id) AS customers,
  SUM(sale_amount) AS total_sales
FROM silver_sales
WHERE sales_region = @region
GROUP BY product_category
ORDER BY total_sales DESC, product_category
