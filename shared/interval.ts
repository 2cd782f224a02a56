/** An interval flag (`--watch 60s`, `--refresh 10s`; 5m, 1h, or plain seconds) → milliseconds. */
import { UsageError } from './errors.ts';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseInterval(text: string, flag = 'watch'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  const ms = m ? Number(m[1]) * UNIT_MS[(m[2] ?? 's').toLowerCase()] : Number.NaN;
  if (!(ms >= 1000)) {
    throw new UsageError(`--${flag} ${JSON.stringify(text)}: expected an interval of at least 1s, like 60s, 5m or 1h`, {
      field: flag,
    });
  }
  return ms;
}
