-- Average sale per region (exact to the cent, half away from zero), highest first.
SELECT sales_region, transactions, total_sales, average_sale
FROM gold_avg_by_region
ORDER BY average_sale DESC, sales_region
