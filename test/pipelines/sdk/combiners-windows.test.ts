/** Unit tests of the pure parts: CombineFns (exactness, merging) and window assignment. */
import { describe, expect, it } from 'vitest';
import {
  type CombineFn,
  count,
  fixedWindows,
  GLOBAL_WINDOW,
  globalWindows,
  max,
  maxTimestampOf,
  mean,
  min,
  previewElement,
  sessions,
  slidingWindows,
  sum,
  sumBigInt,
  sumIsExact,
  topN,
} from '../../../pipelines/sdk/index.ts';

/** Combine `values` split into chunks, each accumulated separately then merged (as a runner may). */
function combineInChunks<I, A, O>(fn: CombineFn<I, A, O>, values: I[], chunks: number): O {
  const accs: A[] = [];
  for (let c = 0; c < chunks; c++) {
    let acc = fn.createAccumulator();
    for (let i = c; i < values.length; i += chunks) acc = fn.addInput(acc, values[i]);
    accs.push(acc);
  }
  return fn.extractOutput(fn.mergeAccumulators(accs));
}

describe('combiners', () => {
  it('sum is exact where float addition rounds', () => {
    // 2^53 + 1 + 1 in floats stays 2^53; the exact total is 2^53 + 2.
    const values = [2 ** 52, 2 ** 52, 1, 1];
    expect(values.reduce((a, b) => a + b, 0)).toBe(2 ** 53); // the float answer is wrong
    expect(combineInChunks(sumBigInt(), values, 1)).toBe(2n ** 53n + 2n);
    expect(combineInChunks(sumBigInt(), values, 3)).toBe(2n ** 53n + 2n);
    expect(() => combineInChunks(sum(), values, 2)).toThrow(RangeError);
  });

  it('sum of many cents amounts equals the bigint reference, in any chunking', () => {
    const cents = Array.from({ length: 20_000 }, (_, i) => ((i * 7_919_993) % 99_999_999_999) + 1);
    const reference = cents.reduce((a, b) => a + BigInt(b), 0n);
    for (const chunks of [1, 3, 17]) expect(combineInChunks(sumBigInt(), cents, chunks)).toBe(reference);
    expect(BigInt(combineInChunks(sum(), cents, 5))).toBe(reference);
  });

  it('sum accepts bigints and negative values; non-integers make it a float sum, flagged', () => {
    expect(combineInChunks(sum(), [5, -7, 10n as unknown as number], 2)).toBe(8);
    const acc = [0.1, 0.2].reduce((a, x) => sum().addInput(a, x), sum().createAccumulator());
    expect(sumIsExact(acc)).toBe(false);
    expect(sum().extractOutput(acc)).toBeCloseTo(0.3);
    expect(() => sumBigInt().addInput(sumBigInt().createAccumulator(), 0.5)).toThrow(/integers/);
  });

  it('count, mean, min, max, topN merge correctly', () => {
    const xs = [5, 1, 9, 3, 7];
    expect(combineInChunks(count(), xs, 2)).toBe(5);
    expect(combineInChunks(mean(), xs, 3)).toBe(5);
    expect(combineInChunks(min<number>(), xs, 2)).toBe(1);
    expect(combineInChunks(max<number>(), xs, 4)).toBe(9);
    expect(combineInChunks(topN<number>(3), xs, 2)).toEqual([9, 7, 5]);
    expect(
      combineInChunks(
        topN<string>(2, (a, b) => a.length - b.length),
        ['aaa', 'b', 'cc'],
        2,
      ),
    ).toEqual(['aaa', 'cc']);
    expect(Number.isNaN(mean().extractOutput(mean().createAccumulator()))).toBe(true);
    expect(min<number>().extractOutput(min<number>().createAccumulator())).toBeUndefined();
    expect(() => topN(0)).toThrow(RangeError);
  });
});

describe('windows', () => {
  const T = Date.UTC(2026, 10, 22, 10, 0, 0);

  it('fixed windows align to the epoch (plus offset), also before 1970', () => {
    expect(fixedWindows(60).assign(T + 61_000)).toEqual([{ start: T + 60_000, end: T + 120_000 }]);
    expect(fixedWindows(60, 15).assign(T + 10_000)).toEqual([{ start: T - 45_000, end: T + 15_000 }]);
    expect(fixedWindows(60).assign(-1)).toEqual([{ start: -60_000, end: 0 }]);
    expect(() => fixedWindows(0)).toThrow(/positive/);
  });

  it('sliding windows cover each element size/period times', () => {
    const ws = slidingWindows(60, 20).assign(T + 5_000);
    expect(ws.map((w) => (w.start - T) / 1000)).toEqual([0, -20, -40]);
    expect(ws.every((w) => w.end - w.start === 60_000)).toBe(true);
    expect(() => slidingWindows(10, 20)).toThrow(/exceeds/);
  });

  it('sessions give a proto-window [ts, ts+gap) that is merged when grouped', () => {
    expect(sessions(30).assign(T)).toEqual([{ start: T, end: T + 30_000 }]);
    expect(sessions(30).merging).toBe(true);
  });

  it('the global window ends at infinity; its results carry the max timestamp', () => {
    expect(globalWindows().assign(T)).toEqual([GLOBAL_WINDOW]);
    expect(maxTimestampOf(GLOBAL_WINDOW)).toBe(8.64e15);
    expect(maxTimestampOf({ start: 0, end: 60_000 })).toBe(59_999);
  });
});

describe('previewElement', () => {
  it('renders bigints and truncates long elements', () => {
    expect(previewElement({ a: 1n })).toBe('{"a":"1n"}');
    const long = previewElement({ s: 'x'.repeat(500) });
    expect(long.startsWith('{"s":"xxx')).toBe(true);
    expect(long).toMatch(/… \(508 chars\)$/);
  });
});
