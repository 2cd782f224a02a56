/** Interval flags (`--watch`, `--refresh`, `--commit-interval`…): units, bounds, and a clear refusal. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/errors.ts';
import { MAX_INTERVAL_MS, parseInterval } from '../../shared/interval.ts';

describe('parseInterval', () => {
  it('reads ms, s, m, h and plain seconds', () => {
    expect(parseInterval('250ms', 'x', 0)).toBe(250);
    expect(parseInterval('1.5s')).toBe(1500);
    expect(parseInterval('2m')).toBe(120_000);
    expect(parseInterval('596h')).toBe(596 * 3_600_000);
  });

  it('refuses an interval longer than a timer can wait, which would otherwise fire at once and loop', () => {
    // Node and browsers keep a timer's delay in 32 bits: a longer one runs after 1 ms.
    expect(MAX_INTERVAL_MS).toBe(2 ** 31 - 1);
    for (const bad of ['597h', '100000h', '2147484s']) {
      expect(() => parseInterval(bad, 'refresh'), bad).toThrow(UsageError);
      expect(() => parseInterval(bad, 'refresh'), bad).toThrow(
        `--refresh "${bad}": expected an interval of at least 1s and at most 596h, like 60s, 5m or 1h`,
      );
    }
    expect(() => parseInterval('0.5s', 'min-age', 0)).not.toThrow();
  });
});
