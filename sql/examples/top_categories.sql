-- Categories ranked by total sales, with transaction counts and the exact average sale.
SELECT product_category, transactions, total_sales, average_sale
FROM gold_sales_by_category
ORDER BY total_sales DESC, product_category
