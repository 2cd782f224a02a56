/** The stream's status line (TTY, redrawn) and its summary on exit. */
import { formatCount, formatDuration } from '../../shared/format.ts';
import type { StreamStatus, StreamSummary } from './run-stream.ts';

const n = (x: number) => x.toLocaleString('en-US');

/**
 * Status lines with rates over the interval since the previous line:
 * "stream running: received 12.3k (2003/s) · committed 12.0k (1998/s) · quarantined 60 · …"
 */
export function statusLiner(): (s: StreamStatus) => string {
  let last: { at: number; received: number; committed: number } | undefined;
  return (s) => {
    const now = performance.now();
    const secs = last === undefined ? 0 : (now - last.at) / 1000;
    const rate = (x: number, before: number | undefined) =>
      secs > 0 && before !== undefined ? `${Math.round((x - before) / secs)}/s` : '–/s';
    const line =
      `stream ${s.state}: received ${formatCount(s.received)} (${rate(s.received, last?.received)}) · ` +
      `committed ${formatCount(s.committed)} (${rate(s.committed, last?.committed)}) · ` +
      `quarantined ${formatCount(s.quarantined)} · duplicates ${formatCount(s.duplicates)} · late ${formatCount(s.late)} · ` +
      `oldest unacked ${formatDuration(s.oldestUnackedMs / 1000)}${s.retries > 0 ? ` · retries ${s.retries}` : ''}`;
    last = { at: now, received: s.received, committed: s.committed };
    return line;
  };
}

export function formatStreamSummary(s: StreamSummary): string {
  const rate = s.seconds > 0 ? Math.round(s.committed / s.seconds) : 0;
  return (
    `stream: ${n(s.received)} messages from ${s.subscription} in ${s.seconds.toFixed(1)} s (${n(rate)}/s committed), ` +
    `stopped by ${s.stoppedBy} → ${s.warehouse}\n` +
    `  silver +${n(s.silver)} · bronze +${n(s.bronze)} · duplicates ${n(s.duplicates)} · quarantined ${n(s.quarantined)} · ` +
    `late ${n(s.late)} · redelivered ${n(s.redelivered)} · acked ${n(s.acked)} · ${n(s.commits)} commits · ` +
    `${n(s.goldRefreshes)} gold refreshes` +
    (s.retries > 0 ? ` · ${n(s.retries)} retries after transient failures` : '')
  );
}
