/** The dimension run's report: one line per file, the first invalid rows of each, then totals. */
import { formatCount, formatDuration, formatTable } from '../../shared/format.ts';
import type { DimsSummary } from './run-dims.ts';

export function formatDimsReport(s: DimsSummary): string {
  const table = formatTable(
    ['file', 'dimension', 'status', 'read', 'loaded', 'rejected', 'unchanged'],
    s.files.map((f) => [
      f.key,
      f.dimension,
      f.alreadyDone ? `${f.status} (before)` : f.status,
      f.rowsRead,
      f.rowsLoaded,
      f.rowsRejected,
      f.rowsDuplicate,
    ]),
  );
  const details = s.files.flatMap((f) => [
    ...(f.error ? [`${f.status === 'waiting' ? 'waiting' : 'rejected'} ${f.uri}: ${f.error}`] : []),
    ...f.firstRejects.map((r) => `  ${f.uri}:${r.line}: ${r.reasons}`),
    ...(f.rowsRejected > f.firstRejects.length && f.firstRejects.length > 0
      ? [`  … ${formatCount(f.rowsRejected - f.firstRejects.length)} more in quarantine_dims`]
      : []),
  ]);
  const total = (k: 'rowsRead' | 'rowsLoaded' | 'rowsRejected') => formatCount(s.files.reduce((n, f) => n + f[k], 0));
  return [
    table,
    ...details,
    ...(s.ignored.length > 0 ? [`ignored (not customers*.csv / products*.csv): ${s.ignored.join(', ')}`] : []),
    `${s.files.length} files: ${total('rowsRead')} rows read, ${total('rowsLoaded')} loaded or updated, ` +
      `${total('rowsRejected')} rejected in ${formatDuration(s.seconds)}`,
  ].join('\n');
}
