/** The batch run's report: one line per file, then totals. */
import { formatCount, formatDuration, formatTable } from '../../shared/format.ts';
import type { BatchSummary } from './run-batch.ts';

export function formatBatchReport(s: BatchSummary): string {
  const table = formatTable(
    ['file', 'status', 'read', 'loaded', 'rejected', 'duplicate', 'then'],
    s.files.map((f) => [
      f.key,
      f.alreadyDone ? `${f.status} (before)` : f.status,
      f.rowsRead,
      f.rowsLoaded,
      f.rowsRejected,
      f.rowsDuplicate,
      f.disposition ?? '',
    ]),
  );
  const rejected = s.files.filter((f) => f.status === 'rejected' && !f.alreadyDone);
  const waiting = s.files.filter((f) => f.status === 'waiting').length;
  const lines = [
    ...(s.files.length > 0 ? [table] : ['no new files']),
    ...rejected.map((f) => `rejected ${f.key}: ${f.error}`),
    ...(s.ignored.length > 0 ? [`ignored (not CSV/NDJSON/Parquet): ${s.ignored.join(', ')}`] : []),
    `${s.files.length} files: ${formatCount(s.rowsRead)} rows read, ${formatCount(s.rowsLoaded)} loaded, ` +
      `${formatCount(s.rowsRejected)} rejected, ${formatCount(s.rowsDuplicate)} duplicate, ` +
      `${rejected.length} files rejected${waiting > 0 ? `, ${waiting} waiting for a later run` : ''} in ${formatDuration(s.seconds)}`,
  ];
  return lines.join('\n');
}
