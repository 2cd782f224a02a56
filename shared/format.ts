/** Human-readable numbers for progress lines and summaries, and text output (tables, CSV fields). */

/** One CSV field with RFC 4180 quoting, only when needed. */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** Messages never show NaN or Infinity: an unknown figure is "?". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '?';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '?';
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Render rows as an aligned text table (numbers right-aligned). */
export function formatTable(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((r) => r.map((v) => (v === null || v === undefined ? '' : String(v))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const numeric = columns.map(
    (_, i) =>
      rows.length > 0 &&
      rows.every(
        (r) => typeof r[i] === 'number' || typeof r[i] === 'bigint' || /^-?\d+(\.\d+)?$/.test(String(r[i] ?? '')),
      ),
  );
  const fmt = (vals: readonly string[]) =>
    vals
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(fmt)].join('\n');
}

/** A rate (0..1) as a short percentage for messages: 0.05 → "5%", 0.1234 → "12.34%". */
export function formatPercent(rate: number): string {
  return Number.isFinite(rate) ? `${Number((rate * 100).toFixed(2))}%` : '?%';
}

/**
 * Characters a reader of a message cannot see or that reorder what it shows:
 * controls, format characters (zero-width, bidi overrides, U+FEFF), every
 * space but U+0020, line/paragraph separators, private-use and unassigned
 * code points, lone surrogates.
 */
const UNSEEN = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Cs}]|(?! )\p{Zs}/gu;

/**
 * A value quoted for a message (quarantine reasons, errors): JSON string
 * syntax with every character one cannot see written as `\uXXXX`, so
 * `"TX\u200b1"` shows why it differs from `"TX1"`. Never for data.
 */
export function quoteForMessage(value: string): string {
  return escapeUnseen(JSON.stringify(value));
}

/** `text` (JSON, or a message) with every character one cannot see written as `\\uXXXX`. */
export function escapeUnseen(text: string): string {
  // An astral character is written as its two UTF-16 units, as JSON would.
  return text.replace(UNSEEN, (ch) =>
    Array.from({ length: ch.length }, (_, i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
  );
}
