-- Why rows were rejected, most frequent reason first.
SELECT reasons, COUNT(*) AS row_count, MIN(_source_file) AS example_file
FROM quarantine_sales
GROUP BY reasons
ORDER BY row_count DESC, reasons
LIMIT 20
