/** An interval flag (`--watch 60s`, `--refresh 10s`, `--min-age 0`; 5m, 1h, or plain seconds) → milliseconds; at least `minMs` (1 s unless given). */
import { UsageError } from './errors.ts';
import { quoteForMessage } from './format.ts';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseInterval(text: string, flag = 'watch', minMs = 1000): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  const ms = m ? Number(m[1]) * UNIT_MS[(m[2] ?? 's').toLowerCase()] : Number.NaN;
  if (!(ms >= minMs)) {
    const least = minMs > 0 ? ` of at least ${minMs / 1000}s` : '';
    throw new UsageError(`--${flag} ${quoteForMessage(text)}: expected an interval${least}, like 60s, 5m or 1h`, {
      field: flag,
    });
  }
  return ms;
}
