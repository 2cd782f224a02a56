/** An interval flag (`--watch 60s`, `--refresh 10s`, `--min-age 0`; 5m, 1h, or plain seconds) → milliseconds; at least `minMs` (1 s unless given). */
import { UsageError } from './errors.ts';
import { quoteForMessage } from './format.ts';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * The longest interval: Node and browsers keep a timer's delay in a signed 32-bit
 * integer, and a longer delay fires at once, so a `--watch` or `--refresh` beyond
 * it would loop as fast as it can instead of waiting.
 */
export const MAX_INTERVAL_MS = 2 ** 31 - 1;

export function parseInterval(text: string, flag = 'watch', minMs = 1000): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  const ms = m ? Number(m[1]) * UNIT_MS[(m[2] ?? 's').toLowerCase()] : Number.NaN;
  if (!(ms >= minMs && ms <= MAX_INTERVAL_MS)) {
    const least = minMs > 0 ? ` of at least ${minMs / 1000}s and` : '';
    const most = ` at most ${Math.floor(MAX_INTERVAL_MS / UNIT_MS.h)}h`;
    throw new UsageError(
      `--${flag} ${quoteForMessage(text)}: expected an interval${least}${most}, like 60s, 5m or 1h`,
      {
        field: flag,
      },
    );
  }
  return ms;
}
