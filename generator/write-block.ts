/**
 * The hot loop: sample and encode `rows` rows straight into a byte buffer. No
 * strings, no objects per row, no table bigger than a few KB in the loop (cache
 * misses cost more than arithmetic): one uniform draw per alias-table sample, an
 * interpolated quantile for the amount, digit tables, and
 * word-sized copies of pre-encoded pieces. Keep it one flat function — V8 keeps the locals in registers.
 */
import { AMOUNT_STEPS, amountAtQuantile, type SalesModel } from './model.ts';
import type { Sfc32 } from './prng.ts';
import {
  AFTER_ID_PIECE,
  DAY_PIECES_START,
  ID_PREFIX_PIECE,
  type PieceTable,
  type RowEncoding,
  WRITE_SLACK,
} from './row-encoding.ts';

const U32 = 2 ** -32;
const HALF = 16_777_216;
/** "00" … "99" as little-endian 16-bit ASCII pairs. */
const DIGIT_PAIRS = new Uint16Array(100);
for (let i = 0; i < 100; i++) DIGIT_PAIRS[i] = (48 + Math.floor(i / 10)) | ((48 + (i % 10)) << 8);
/** "00" … "FF" as little-endian 16-bit ASCII pairs. */
const HEX_PAIRS = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  const s = i.toString(16).toUpperCase().padStart(2, '0');
  HEX_PAIRS[i] = s.charCodeAt(0) | (s.charCodeAt(1) << 8);
}

/** Uniform draws per row (not all are always used: the count is fixed so rows stay aligned). */
const DRAWS_PER_ROW = 7;
/** Rows per refill of the draw buffer (small enough to stay in L1 cache). */
const ROWS_PER_FILL = 1024;

/** Bytes a buffer needs for `rows` rows of this encoding. */
export function blockBufferBytes(enc: RowEncoding, rows: number): number {
  return rows * enc.maxRowBytes + WRITE_SLACK;
}

/**
 * Write rows `firstRow … firstRow+rows-1` (global row numbers, for the ids)
 * drawing from `rng`; returns the number of bytes written at `out[0…]`. `out`
 * must hold blockBufferBytes(enc, rows) bytes.
 *
 * Sampling from an alias table with one draw: x = u·n; the integer part picks
 * the bucket, the fraction (scaled back to 32 bits) decides bucket vs alias.
 */
export function writeBlock(
  model: SalesModel,
  enc: RowEncoding,
  rng: Sfc32,
  firstRow: number,
  rows: number,
  out: Uint8Array,
): number {
  if (out.length < blockBufferBytes(enc, rows)) throw new RangeError('output buffer too small for the block');
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const customers = model.customers;
  const binN = customers.bins.n * U32;
  const binProb = customers.bins.prob;
  const binAlias = customers.bins.alias;
  const binStart = customers.binStart;
  const binSize = customers.binSize;
  const nCustomers = customers.n;
  const pMask = customers.perm.mask;
  const pShift = customers.perm.shift;
  const pKey = customers.perm.key;
  const pMulA = customers.perm.mulA;
  const pMulB = customers.perm.mulB;
  const homeKey = customers.homeKey;
  const homeThreshold = model.homeRegionThreshold;
  const rN = model.regions.n * U32;
  const rProb = model.regions.prob;
  const rAlias = model.regions.alias;
  const dN = model.days.n * U32;
  const dProb = model.days.prob;
  const dAlias = model.days.alias;
  const kN = model.categories.n * U32;
  const kProb = model.categories.prob;
  const kAlias = model.categories.alias;
  const quantiles = model.amountQuantiles;
  const mu = model.amountMu;
  const sigma = model.amountSigma;
  const aLo = model.amountLo;
  const aSpan = model.amountSpan;
  const k0 = model.idKeys[0] | 0;
  const k1 = model.idKeys[1] | 0;
  const k2 = model.idKeys[2] | 0;
  const k3 = model.idKeys[3] | 0;
  const pieces = enc.pieces;
  const catPiece = enc.categoryPiece;
  const regPiece = enc.regionPiece;

  const draws = new Uint32Array(ROWS_PER_FILL * DRAWS_PER_ROW);

  let gHi = Math.floor(firstRow / HALF);
  let gLo = firstRow - gHi * HALF;
  let p = 0;
  let j = draws.length;
  for (let row = 0; row < rows; row++) {
    if (j === draws.length) {
      rng.fill(draws);
      j = 0;
    }
    // --- sample ---
    // Customer: a popularity bin, a rank inside it, the rank's id (customers.ts, inlined).
    let x = draws[j] * binN;
    let b = x | 0;
    const bin = (x - b) * 4294967296 < binProb[b] ? b : binAlias[b];
    let id = binStart[bin] + Math.floor(draws[j + 1] * U32 * binSize[bin]);
    do {
      id = (id ^ pKey) & pMask;
      id = Math.imul(id, pMulA) & pMask;
      id ^= id >>> pShift;
      id = Math.imul(id, pMulB) & pMask;
      id ^= id >>> pShift;
      id >>>= 0;
    } while (id >= nCustomers);
    const customerId = id + 1;
    // Region: mostly the customer's home region (a hash of the id), else any.
    if (draws[j + 2] < homeThreshold) {
      let h = customerId ^ homeKey;
      h ^= h >>> 16;
      h = Math.imul(h, 0x7feb352d);
      h ^= h >>> 15;
      h = Math.imul(h, 0x846ca68b);
      h ^= h >>> 16;
      x = (h >>> 0) * rN;
    } else x = draws[j + 3] * rN;
    b = x | 0;
    const region = (x - b) * 4294967296 < rProb[b] ? b : rAlias[b];
    x = draws[j + 4] * dN;
    b = x | 0;
    const day = (x - b) * 4294967296 < dProb[b] ? b : dAlias[b];
    x = draws[j + 5] * kN;
    b = x | 0;
    const category = (x - b) * 4294967296 < kProb[b] ? b : kAlias[b];
    // Amount: truncated log-normal by inverse CDF — interpolated quantiles, exact in the tails.
    const v = (draws[j + 6] + 0.5) * U32;
    j += DRAWS_PER_ROW;
    x = v * AMOUNT_STEPS;
    b = x | 0;
    let cents: number;
    if (b > 0 && b < AMOUNT_STEPS - 1) {
      const q = category * (AMOUNT_STEPS + 1) + b;
      const q0 = quantiles[q];
      cents = Math.round(q0 + (quantiles[q + 1] - q0) * (x - b));
    } else {
      cents = Math.round(amountAtQuantile(mu[category], sigma, aLo[category] + v * aSpan[category]));
    }

    // --- transaction id: Feistel permutation of the global row number ---
    // (feistelRound from transaction-id.ts, inlined by hand: a call per round costs more than the round.)
    let l = gLo;
    let r = gHi;
    let f = Math.imul(l ^ k0, 0x9e3779b1);
    f ^= f >>> 15;
    f = Math.imul(f, 0x85ebca77);
    f ^= f >>> 13;
    r ^= (f ^ (f >>> 16)) & 0xffffff;
    f = Math.imul(r ^ k1, 0x9e3779b1);
    f ^= f >>> 15;
    f = Math.imul(f, 0x85ebca77);
    f ^= f >>> 13;
    l ^= (f ^ (f >>> 16)) & 0xffffff;
    f = Math.imul(l ^ k2, 0x9e3779b1);
    f ^= f >>> 15;
    f = Math.imul(f, 0x85ebca77);
    f ^= f >>> 13;
    r ^= (f ^ (f >>> 16)) & 0xffffff;
    f = Math.imul(r ^ k3, 0x9e3779b1);
    f ^= f >>> 15;
    f = Math.imul(f, 0x85ebca77);
    f ^= f >>> 13;
    l ^= (f ^ (f >>> 16)) & 0xffffff;
    // After 4 rounds the high half is r, the low half l.
    const hi = r;
    const lo = l;
    if (++gLo === HALF) {
      gLo = 0;
      gHi++;
    }

    // --- encode ---
    p = copyPiece(dv, p, pieces, ID_PREFIX_PIECE);
    dv.setUint16(p, HEX_PAIRS[hi >>> 16], true);
    dv.setUint16(p + 2, HEX_PAIRS[(hi >>> 8) & 255], true);
    dv.setUint16(p + 4, HEX_PAIRS[hi & 255], true);
    dv.setUint16(p + 6, HEX_PAIRS[lo >>> 16], true);
    dv.setUint16(p + 8, HEX_PAIRS[(lo >>> 8) & 255], true);
    dv.setUint16(p + 10, HEX_PAIRS[lo & 255], true);
    p = copyPiece(dv, p + 12, pieces, AFTER_ID_PIECE);
    p = writeUint(dv, p, customerId);
    p = copyPiece(dv, p, pieces, DAY_PIECES_START + day);
    const whole = (cents / 100) | 0;
    p = writeUint(dv, p, whole);
    out[p] = 46; // '.'
    dv.setUint16(p + 1, DIGIT_PAIRS[cents - whole * 100], true);
    p = copyPiece(dv, p + 3, pieces, catPiece[category]);
    p = copyPiece(dv, p, pieces, regPiece[region]);
  }
  return p;
}

/** Copy piece `i` to byte offset p (may spill up to 3 bytes); returns the offset after it. */
function copyPiece(dv: DataView, p: number, pieces: PieceTable, i: number): number {
  const words = pieces.words;
  const end = pieces.word[i] + pieces.count[i];
  for (let w = pieces.word[i], at = p; w < end; w++, at += 4) dv.setUint32(at, words[w], true);
  return p + pieces.len[i];
}

/** Decimal digits of an integer 0 ≤ v < 2^31 at byte offset p; returns the offset after them. */
function writeUint(dv: DataView, p: number, v: number): number {
  const len =
    v < 10
      ? 1
      : v < 100
        ? 2
        : v < 1000
          ? 3
          : v < 10000
            ? 4
            : v < 100000
              ? 5
              : v < 1e6
                ? 6
                : v < 1e7
                  ? 7
                  : v < 1e8
                    ? 8
                    : v < 1e9
                      ? 9
                      : 10;
  let end = p + len;
  while (v >= 100) {
    const q = (v / 100) | 0;
    end -= 2;
    dv.setUint16(end, DIGIT_PAIRS[v - q * 100], true);
    v = q;
  }
  if (v >= 10) dv.setUint16(end - 2, DIGIT_PAIRS[v], true);
  else dv.setUint8(end - 1, 48 + v);
  return p + len;
}
