/**
 * Who buys. Customers are ranked by popularity (Zipf–Mandelbrot: weight of rank
 * k is 1/(k+1+q)^s), so a few customers buy a lot. Sampling a rank uses an alias
 * table over rank *bins* — the top ranks one bin each, the long tail in
 * geometrically growing bins sampled uniformly inside (the weight changes by
 * well under 1% across a tail bin) — so the table stays a few KB, cache-resident,
 * for any customer count.
 *
 * Ranks map to customer ids through a seeded permutation (so the best customer
 * is not id 1), computed, not stored: a bijection on the next power of two,
 * cycle-walked into 0…n-1. Each customer's home region is a hash of the id.
 */
import { type AliasTable, buildAliasTable } from './alias-table.ts';
import { mix32, namedStream } from './prng.ts';

/** Zipf–Mandelbrot customer popularity: weight = 1 / (rank + 1 + q)^s. */
const CUSTOMER_ZIPF_S = 0.8;
const CUSTOMER_ZIPF_Q = 50;
/** Ranks with a bin of their own. */
const HEAD_RANKS = 1024;
/** Upper bound of tail bins. */
const TAIL_BINS = 3072;

export interface CustomerModel {
  readonly n: number;
  readonly bins: AliasTable;
  /** First rank and number of ranks of each bin. */
  readonly binStart: Float64Array;
  readonly binSize: Float64Array;
  /** The rank → id permutation. */
  readonly perm: RankPermutation;
  /** Key of the id → home region hash. */
  readonly homeKey: number;
}

export interface RankPermutation {
  readonly n: number;
  readonly mask: number;
  readonly shift: number;
  readonly key: number;
  readonly mulA: number;
  readonly mulB: number;
}

function rankWeight(rank: number): number {
  return (rank + 1 + CUSTOMER_ZIPF_Q) ** -CUSTOMER_ZIPF_S;
}

/** Sum of rankWeight over [from, to): exact for short ranges, the integral otherwise. */
function rangeWeight(from: number, to: number): number {
  if (to - from <= 64) {
    let w = 0;
    for (let k = from; k < to; k++) w += rankWeight(k);
    return w;
  }
  const s = CUSTOMER_ZIPF_S;
  const F = (x: number) => (x + 0.5 + CUSTOMER_ZIPF_Q) ** (1 - s) / (1 - s);
  return F(to) - F(from);
}

export function buildCustomerModel(seed: number, n: number): CustomerModel {
  const starts: number[] = [];
  const sizes: number[] = [];
  const head = Math.min(n, HEAD_RANKS);
  for (let k = 0; k < head; k++) {
    starts.push(k);
    sizes.push(1);
  }
  if (n > head) {
    const ratio = (n / head) ** (1 / TAIL_BINS);
    let from = head;
    while (from < n) {
      const to = Math.min(n, Math.max(from + 1, Math.round(from * ratio)));
      starts.push(from);
      sizes.push(to - from);
      from = to;
    }
  }
  const weights = starts.map((s, i) => rangeWeight(s, s + sizes[i]));

  const rng = namedStream(seed, 'customers');
  let bits = 1;
  while (2 ** bits < n) bits++;
  const perm: RankPermutation = {
    n,
    mask: bits >= 32 ? -1 : 2 ** bits - 1,
    shift: Math.max(1, bits >> 1),
    key: rng.next() & (2 ** bits - 1),
    mulA: rng.next() | 1,
    mulB: rng.next() | 1,
  };
  return {
    n,
    bins: buildAliasTable(weights),
    binStart: Float64Array.from(starts),
    binSize: Float64Array.from(sizes),
    perm,
    homeKey: rng.next() | 0,
  };
}

/** One step of the bijection on `bits` bits. */
function permuteStep(x: number, p: RankPermutation): number {
  x = (x ^ p.key) & p.mask;
  x = Math.imul(x, p.mulA) & p.mask;
  x ^= x >>> p.shift;
  x = Math.imul(x, p.mulB) & p.mask;
  x ^= x >>> p.shift;
  return x >>> 0;
}

/** Customer id (1…n) of a popularity rank (0 = most popular). */
export function customerIdOfRank(p: RankPermutation, rank: number): number {
  let x = permuteStep(rank, p);
  while (x >= p.n) x = permuteStep(x, p);
  return x + 1;
}

/** A customer's home region: a hash of the id, drawn from the region mix. */
export function homeRegionOf(customers: CustomerModel, regions: AliasTable, customerId: number): number {
  const x = mix32(customerId ^ customers.homeKey) * 2 ** -32 * regions.n;
  const b = Math.floor(x);
  return (x - b) * 2 ** 32 < regions.prob[b] ? b : regions.alias[b];
}
