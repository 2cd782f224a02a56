/**
 * Walker/Vose alias tables: O(1) sampling from any discrete distribution with
 * two uniform draws, no search. The hot loop reads `prob`/`alias` directly:
 *
 *   i = floor(u1 * n / 2^32); value = u2 < prob[i] ? i : alias[i]
 */

export interface AliasTable {
  readonly n: number;
  /** Per bucket: keep `i` when the second draw (uint32) is below this. */
  readonly prob: Float64Array;
  readonly alias: Uint32Array;
}

export function buildAliasTable(weights: ArrayLike<number>): AliasTable {
  const n = weights.length;
  if (n === 0) throw new RangeError('alias table needs at least one weight');
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`weight ${i} is not a finite non-negative number`);
    sum += w;
  }
  if (!(sum > 0)) throw new RangeError('weights sum to zero');
  const scaled = new Float64Array(n);
  for (let i = 0; i < n; i++) scaled[i] = (weights[i] * n) / sum;
  const prob = new Float64Array(n);
  const alias = new Uint32Array(n);
  const small = new Uint32Array(n);
  const large = new Uint32Array(n);
  let ns = 0;
  let nl = 0;
  for (let i = 0; i < n; i++) {
    if (scaled[i] < 1) small[ns++] = i;
    else large[nl++] = i;
  }
  while (ns > 0 && nl > 0) {
    const s = small[--ns];
    const l = large[--nl];
    prob[s] = scaled[s] * 2 ** 32;
    alias[s] = l;
    scaled[l] = scaled[l] + scaled[s] - 1;
    if (scaled[l] < 1) small[ns++] = l;
    else large[nl++] = l;
  }
  // Leftovers are full buckets (floating-point residue): always keep them.
  while (nl > 0) {
    const l = large[--nl];
    prob[l] = 2 ** 32;
    alias[l] = l;
  }
  while (ns > 0) {
    const s = small[--ns];
    prob[s] = 2 ** 32;
    alias[s] = s;
  }
  return { n, prob, alias };
}
