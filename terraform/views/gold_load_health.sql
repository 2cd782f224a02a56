SELECT
  CAST(started_at AS DATE) AS load_date,
  status,
  COUNT(*) AS files,
  CAST(SUM(COALESCE(rows_read, 0)) AS INT64) AS rows_read,
  CAST(SUM(COALESCE(rows_loaded, 0)) AS INT64) AS rows_loaded,
  CAST(SUM(COALESCE(rows_rejected, 0)) AS INT64) AS rows_rejected,
  CAST(SUM(COALESCE(rows_duplicate, 0)) AS INT64) AS rows_duplicate,
  MAX(finished_at) AS last_finished_at
FROM `${project}.${dataset}.load_log`
GROUP BY load_date, status