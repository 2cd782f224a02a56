SELECT
  RANK() OVER (ORDER BY COUNT(*) DESC) AS reason_rank,
  reason,
  COUNT(*) AS row_count,
  COUNT(DISTINCT q._source_file) AS files,
  MAX(q._ingested_at) AS last_seen
FROM `${project}.${dataset}.quarantine_sales` q, UNNEST(SPLIT(REGEXP_REPLACE(q.reasons, '"(?:[^"\\\\]|\\\\.)*" ', ''), '; ')) AS reason
WHERE reason <> ''
GROUP BY reason