/**
 * Seeded randomness for the hot loop. sfc32 (Chris Doty-Humphrey's Small Fast
 * Counting generator) is four 32-bit words and a handful of adds, shifts and
 * xors per draw — an order of magnitude faster than anything faker offers, and
 * it passes PractRand well beyond what synthetic data needs.
 *
 * Every stream is derived from the user seed plus labels (batch index, block
 * index, purpose) through a 32-bit mixer, so any worker can reproduce any part
 * of the output without having produced what comes before it.
 */

/** A strong 32-bit integer mixer (Chris Wellons' "lowbias32"). */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Scale of a uint32 draw to [0, 1). */
const U32_TO_UNIT = 2 ** -32;

export class Sfc32 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(a: number, b: number, c: number, d = 1) {
    this.a = a | 0;
    this.b = b | 0;
    this.c = c | 0;
    this.d = d | 0;
    // The first outputs of a fresh state are correlated with the seed words.
    for (let i = 0; i < 15; i++) this.next();
  }

  /** Next uniform uint32. */
  next(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /**
   * Fill `out` with the next draws. The hot loop takes its randomness from
   * such a buffer: the state stays in registers here, and reading a Uint32Array
   * never allocates (a uint32 returned from a non-inlined call may be boxed).
   */
  fill(out: Uint32Array): void {
    let a = this.a;
    let b = this.b;
    let c = this.c;
    let d = this.d;
    for (let i = 0; i < out.length; i++) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + t) | 0;
      out[i] = t;
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }

  /** Uniform float in [0, 1). */
  unit(): number {
    return this.next() * U32_TO_UNIT;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * U32_TO_UNIT * n);
  }
}

/** Split a seed (0 ≤ seed < 2^53) into two 32-bit words and mix them into one key. */
export function seedKey(seed: number): number {
  const lo = (seed % 2 ** 32) >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  return mix32(lo ^ mix32(hi + 0x632be5ab));
}

/** Key for a named purpose ("customers", "ids", …), so streams never overlap by accident. */
export function labelKey(key: number, label: string): number {
  let h = key;
  for (let i = 0; i < label.length; i++) h = mix32(h ^ label.charCodeAt(i));
  return h;
}

/** The random stream of one block of one batch: a pure function of (seed, batch, block). */
export function blockStream(seed: number, batchIndex: number, blockIndex: number): Sfc32 {
  const k1 = seedKey(seed);
  const k2 = mix32(k1 ^ mix32(batchIndex + 0x85ebca6b));
  const k3 = mix32(k2 ^ mix32(blockIndex + 0xc2b2ae35));
  return new Sfc32(k1, k2, k3);
}

/** A stream for building the model (customer ranks, home regions, …). */
export function namedStream(seed: number, label: string): Sfc32 {
  const k = labelKey(seedKey(seed), label);
  return new Sfc32(k, mix32(k + 1), mix32(k + 2));
}
