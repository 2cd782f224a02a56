/**
 * Built-in CombineFns. Sums are exact: integer inputs (cents) are added in a
 * float as long as the running total stays below 2^52 and spill into a bigint
 * beyond, so no total is ever rounded. `sum()` returns a number and throws if the
 * exact total is beyond Number.MAX_SAFE_INTEGER (≈ 90 trillion in cents);
 * `sumBigInt()` returns a bigint and never overflows. Non-integer inputs are
 * allowed but make the sum a plain float sum (flagged by `sumIsExact`).
 */
import type { CombineFn } from './combine-fn.ts';

const SPILL = 2 ** 52;

export interface SumAccumulator {
  /** Exact while |small| <= 2^52 (every partial sum of two such numbers is exact). */
  small: number;
  big: bigint;
  /** Non-integer (or unsafe) inputs, summed as floats. */
  float: number;
  inexact: boolean;
}

function newSum(): SumAccumulator {
  return { small: 0, big: 0n, float: 0, inexact: false };
}

function addToSum(acc: SumAccumulator, x: number | bigint): SumAccumulator {
  if (typeof x === 'number') {
    if (Number.isInteger(x) && x <= SPILL && x >= -SPILL) {
      const s = acc.small + x;
      if (s > SPILL || s < -SPILL) {
        acc.big += BigInt(s);
        acc.small = 0;
      } else acc.small = s;
    } else if (Number.isSafeInteger(x)) acc.big += BigInt(x);
    else {
      acc.float += x;
      acc.inexact = true;
    }
  } else acc.big += x;
  return acc;
}

function mergeSums(accs: Iterable<SumAccumulator>): SumAccumulator {
  const out = newSum();
  for (const a of accs) {
    out.big += a.big + BigInt(a.small);
    out.float += a.float;
    out.inexact ||= a.inexact;
  }
  return out;
}

/** The exact integer part of a sum accumulator. */
export function exactTotal(acc: SumAccumulator): bigint {
  return acc.big + BigInt(acc.small);
}

export function sumIsExact(acc: SumAccumulator): boolean {
  return !acc.inexact;
}

/** Exact sum of integers (e.g. cents) as a number; RangeError beyond MAX_SAFE_INTEGER (use sumBigInt). */
export function sum(): CombineFn<number | bigint, SumAccumulator, number> {
  return {
    createAccumulator: newSum,
    addInput: addToSum,
    mergeAccumulators: mergeSums,
    extractOutput(acc) {
      if (acc.inexact) return Number(exactTotal(acc)) + acc.float;
      const total = acc.big === 0n ? acc.small : exactTotal(acc);
      if (typeof total === 'number') return total;
      if (total > BigInt(Number.MAX_SAFE_INTEGER) || total < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new RangeError(`sum ${total} is beyond Number.MAX_SAFE_INTEGER; use sumBigInt() for exact totals`);
      }
      return Number(total);
    },
  };
}

/** Exact sum of integers as a bigint (non-integer inputs are a RangeError). */
export function sumBigInt(): CombineFn<number | bigint, SumAccumulator, bigint> {
  return {
    createAccumulator: newSum,
    addInput(acc, x) {
      if (typeof x === 'number' && !Number.isSafeInteger(x)) throw new RangeError(`sumBigInt needs integers, got ${x}`);
      return addToSum(acc, x);
    },
    mergeAccumulators: mergeSums,
    extractOutput: exactTotal,
  };
}

export function count(): CombineFn<unknown, number, number> {
  return {
    createAccumulator: () => 0,
    addInput: (acc) => acc + 1,
    mergeAccumulators(accs) {
      let n = 0;
      for (const a of accs) n += a;
      return n;
    },
    extractOutput: (acc) => acc,
  };
}

/** Mean from an exact sum and count (the division is the only rounding); NaN when empty. */
export function mean(): CombineFn<number | bigint, { sum: SumAccumulator; n: number }, number> {
  return {
    createAccumulator: () => ({ sum: newSum(), n: 0 }),
    addInput(acc, x) {
      addToSum(acc.sum, x);
      acc.n++;
      return acc;
    },
    mergeAccumulators(accs) {
      const list = [...accs];
      return { sum: mergeSums(list.map((a) => a.sum)), n: list.reduce((n, a) => n + a.n, 0) };
    },
    extractOutput(acc) {
      if (acc.n === 0) return Number.NaN;
      return (Number(exactTotal(acc.sum)) + acc.sum.float) / acc.n;
    },
  };
}

type Comparable = number | bigint | string;

function extreme<T extends Comparable>(better: (a: T, b: T) => boolean): CombineFn<T, T | undefined, T | undefined> {
  return {
    createAccumulator: () => undefined,
    addInput: (acc, x) => (acc === undefined || better(x, acc) ? x : acc),
    mergeAccumulators(accs) {
      let out: T | undefined;
      for (const a of accs) if (a !== undefined && (out === undefined || better(a, out))) out = a;
      return out;
    },
    extractOutput: (acc) => acc,
  };
}

/** Smallest value (undefined when empty). */
export function min<T extends Comparable>(): CombineFn<T, T | undefined, T | undefined> {
  return extreme<T>((a, b) => a < b);
}

/** Largest value (undefined when empty). */
export function max<T extends Comparable>(): CombineFn<T, T | undefined, T | undefined> {
  return extreme<T>((a, b) => a > b);
}

/** The `n` largest values by `compare` (default: natural order), largest first. */
export function topN<T>(n: number, compare: (a: T, b: T) => number = naturalOrder): CombineFn<T, T[], T[]> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`topN needs a positive integer, got ${n}`);
  const insert = (acc: T[], x: T): T[] => {
    if (acc.length === n && compare(x, acc[n - 1]) <= 0) return acc;
    let i = acc.length;
    while (i > 0 && compare(x, acc[i - 1]) > 0) i--;
    acc.splice(i, 0, x);
    if (acc.length > n) acc.pop();
    return acc;
  };
  return {
    createAccumulator: () => [],
    addInput: insert,
    mergeAccumulators(accs) {
      let out: T[] = [];
      for (const a of accs) for (const x of a) out = insert(out, x);
      return out;
    },
    extractOutput: (acc) => acc,
  };
}

function naturalOrder<T>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every value, in arrival order (what groupByKey uses). */
export function toList<T>(): CombineFn<T, T[], T[]> {
  return {
    createAccumulator: () => [],
    addInput(acc, x) {
      acc.push(x);
      return acc;
    },
    mergeAccumulators(accs) {
      const out: T[] = [];
      for (const a of accs) for (const x of a) out.push(x);
      return out;
    },
    extractOutput: (acc) => acc,
  };
}
