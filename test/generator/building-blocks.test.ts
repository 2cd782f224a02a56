/** The pieces under the generator: alias tables, permutations, PRNG streams, option checks. */
import { describe, expect, it } from 'vitest';
import { buildAliasTable } from '../../generator/alias-table.ts';
import { buildCustomerModel, customerIdOfRank } from '../../generator/customers.ts';
import { inverseNormalCdf, normalCdf } from '../../generator/normal.ts';
import { parseCount, resolveGenOptions } from '../../generator/options.ts';
import { planUnits } from '../../generator/plan.ts';
import { blockStream, Sfc32 } from '../../generator/prng.ts';
import { transactionId } from '../../generator/transaction-id.ts';
import { UsageError } from '../../shared/errors.ts';
import { aliasProbabilities } from './helpers.ts';

describe('alias tables', () => {
  it('reproduce the weights exactly', () => {
    const weights = [5, 1, 0, 3, 11, 0.5];
    const p = aliasProbabilities(buildAliasTable(weights));
    const sum = weights.reduce((a, b) => a + b, 0);
    for (const [i, w] of weights.entries()) expect(p[i]).toBeCloseTo(w / sum, 12);
  });

  it('reject empty, negative and all-zero weights', () => {
    expect(() => buildAliasTable([])).toThrow(RangeError);
    expect(() => buildAliasTable([1, -1])).toThrow(RangeError);
    expect(() => buildAliasTable([0, 0])).toThrow(RangeError);
  });
});

describe('customer rank → id permutation', () => {
  it.each([1, 2, 7, 1000, 4096, 5000, 65_537])('is a bijection onto 1…%i', (n) => {
    const model = buildCustomerModel(42, n);
    const seen = new Uint8Array(n + 1);
    let bad = 0;
    for (let rank = 0; rank < n; rank++) {
      const id = customerIdOfRank(model.perm, rank);
      if (!(id >= 1 && id <= n) || seen[id] === 1) bad++;
      else seen[id] = 1;
    }
    expect(bad).toBe(0);
  });

  it('bins cover every rank exactly once', () => {
    const model = buildCustomerModel(42, 1_000_000);
    let next = 0;
    for (let i = 0; i < model.binStart.length; i++) {
      expect(model.binStart[i]).toBe(next);
      next += model.binSize[i];
    }
    expect(next).toBe(1_000_000);
    expect(model.bins.n).toBeLessThan(5000); // small enough to stay in cache
  });
});

describe('transaction ids', () => {
  it('are unique, fixed-width and differ by seed', () => {
    const keys = new Uint32Array([1, 2, 3, 4]);
    const other = new Uint32Array([5, 6, 7, 8]);
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i++) ids.add(transactionId(i, keys));
    // Rows far apart (other 24-bit halves) too.
    for (let i = 0; i < 1000; i++) ids.add(transactionId(2 ** 40 + i * 16_777_216, keys));
    expect(ids.size).toBe(101_000);
    expect([...ids].filter((id) => !/^TX-[0-9A-F]{12}$/.test(id))).toEqual([]);
    expect(transactionId(0, keys)).not.toBe(transactionId(0, other));
  });
});

describe('random streams', () => {
  it('depend on seed, batch and block only', () => {
    const draw = (s: Sfc32) => Array.from({ length: 4 }, () => s.next());
    expect(draw(blockStream(42, 3, 1))).toEqual(draw(blockStream(42, 3, 1)));
    expect(draw(blockStream(42, 3, 1))).not.toEqual(draw(blockStream(42, 3, 2)));
    expect(draw(blockStream(42, 3, 1))).not.toEqual(draw(blockStream(42, 4, 1)));
    expect(draw(blockStream(42, 3, 1))).not.toEqual(draw(blockStream(2 ** 40 + 42, 3, 1)));
  });

  it('fill() continues the same sequence as next()', () => {
    const a = new Sfc32(1, 2, 3);
    const b = new Sfc32(1, 2, 3);
    const buf = new Uint32Array(10);
    b.fill(buf);
    expect(Array.from(buf)).toEqual(Array.from({ length: 10 }, () => a.next()));
  });

  it('are roughly uniform', () => {
    const s = new Sfc32(9, 9, 9);
    const buckets = new Array(16).fill(0);
    for (let i = 0; i < 160_000; i++) buckets[s.next() >>> 28]++;
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });
});

describe('normal distribution helpers', () => {
  it('inverse CDF inverts the CDF', () => {
    for (const p of [1e-9, 0.001, 0.02, 0.3, 0.5, 0.8, 0.99, 1 - 1e-7]) {
      expect(normalCdf(inverseNormalCdf(p))).toBeCloseTo(p, 6);
    }
    expect(inverseNormalCdf(0.975)).toBeCloseTo(1.959964, 5);
  });
});

describe('work plan', () => {
  it('cuts batches into blocks without crossing batch boundaries', () => {
    const units = [...planUnits(100_000, 40_000)];
    expect(units.map((u) => [u.batch, u.block, u.firstRow, u.rows])).toEqual([
      [0, 0, 0, 32_768],
      [0, 1, 32_768, 7_232],
      [1, 0, 40_000, 32_768],
      [1, 1, 72_768, 7_232],
      [2, 0, 80_000, 20_000],
    ]);
    expect(units.map((u) => u.index)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('options', () => {
  it('parses counts with suffixes and separators', () => {
    expect(parseCount('10M')).toBe(10_000_000);
    expect(parseCount('250k')).toBe(250_000);
    expect(parseCount('1e6')).toBe(1_000_000);
    expect(parseCount('1_000')).toBe(1000);
    expect(parseCount('1.5k')).toBe(1500);
    expect(parseCount('ten')).toBeNaN();
    expect(parseCount('-5')).toBeNaN();
  });

  it.each([
    [{ rows: 0 }, /--rows must be a whole number from 1/],
    [{ rows: 1.5 }, /--rows/],
    [{ batchSize: 0 }, /--batch-size/],
    [{ seed: -1 }, /--seed/],
    [{ workers: 65 }, /--workers/],
    [{ customers: 0 }, /--customers/],
    [{ startDate: '2025-13-01' }, /--start-date "2025-13-01" is not a valid date/],
    [{ startDate: '2025-02-01', endDate: '2025-01-31' }, /--start-date 2025-02-01 is after --end-date 2025-01-31/],
    [{ format: 'xml' as 'csv' }, /--format must be one of csv, ndjson/],
  ])('rejects %o with a UsageError naming the flag', (opts, message) => {
    expect(() => resolveGenOptions(opts)).toThrow(UsageError);
    expect(() => resolveGenOptions(opts)).toThrow(message);
  });
});
