/** The human summary of an upload: one line, a per-status table, and every failure by name. */
import { formatBytes, formatDuration, formatTable } from '../shared/format.ts';
import { describeFailure, type FileStatus, type UploadSummary } from './upload.ts';

const ORDER: FileStatus[] = ['uploaded', 'would-upload', 'skipped', 'would-skip', 'failed', 'held-back'];

export function formatSummary(s: UploadSummary, src: string): string {
  const rate = s.seconds > 0 ? s.bytesUploaded / s.seconds : 0;
  const head = s.dryRun
    ? `dry run: ${src} → ${s.dest}: ${s.uploaded} would upload, ${s.skipped} already there (would skip)`
    : `${src} → ${s.dest}: ${s.uploaded} uploaded (${formatBytes(s.bytesUploaded)} in ${formatDuration(s.seconds)}, ` +
      `${formatBytes(rate)}/s), ${s.skipped} skipped (already there, same checksum), ${s.failed} failed` +
      (s.heldBack ? `, ${s.heldBack} completion marker(s) held back` : '') +
      (s.bucketCreated ? '; bucket created' : '');
  const rows = ORDER.map((status) => {
    const files = s.files.filter((f) => f.status === status);
    return [status, files.length, formatBytes(files.reduce((n, f) => n + f.size, 0))] as const;
  }).filter((r) => r[1] > 0);
  const lines = [head];
  if (rows.length) lines.push('', formatTable(['status', 'files', 'bytes'], rows));
  const failures = s.files.filter((f) => f.status === 'failed');
  if (failures.length) {
    lines.push('', `failed (${failures.length}):`);
    for (const f of failures) lines.push(`  ${describeFailure(f)}`);
  }
  const held = s.files.filter((f) => f.status === 'held-back');
  if (held.length) {
    lines.push('', `held back so the destination does not look complete: ${held.map((f) => f.relPath).join(', ')}`);
  }
  return lines.join('\n');
}
