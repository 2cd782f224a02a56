-- The latest file loads: rows read, loaded, rejected and duplicate, and how each attempt ended.
SELECT file, attempt, status, rows_read, rows_loaded, rows_rejected, rows_duplicate, started_at, finished_at, error
FROM load_log
ORDER BY started_at DESC, file, attempt
LIMIT 50
