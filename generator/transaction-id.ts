/**
 * Transaction ids: "TX-" + 12 hex digits of a keyed permutation of the 48-bit
 * global row number (a 4-round Feistel network on two 24-bit halves). A
 * permutation is a bijection, so ids are unique by construction — no set of
 * seen ids, whatever the row count — and they depend only on the seed and the
 * row number: the same for any worker count or batch size. They look random
 * (like real order ids), not sequential.
 */
import { TRANSACTION_ID_PREFIX } from './row-encoding.ts';

const HALF = 16_777_216; // 2^24

/** One Feistel round function: 24 well-mixed bits of (half, key). */
function feistelRound(half: number, key: number): number {
  let x = Math.imul(half ^ key, 0x9e3779b1);
  x ^= x >>> 15;
  x = Math.imul(x, 0x85ebca77);
  x ^= x >>> 13;
  return (x ^ (x >>> 16)) & 0xffffff;
}

/** The permuted 48-bit id of global row `row` (0-based), as [high 24 bits, low 24 bits]. */
function permuteRow(row: number, keys: Uint32Array): [number, number] {
  let l = Math.floor(row / HALF);
  let r = row - l * HALF;
  for (let k = 0; k < 4; k++) {
    const next = l ^ feistelRound(r, keys[k]);
    l = r;
    r = next;
  }
  return [l, r];
}

/** The transaction_id of global row `row` (what the hot loop writes, as a string). */
export function transactionId(row: number, keys: Uint32Array): string {
  const [hi, lo] = permuteRow(row, keys);
  return `${TRANSACTION_ID_PREFIX}${hi.toString(16).toUpperCase().padStart(6, '0')}${lo.toString(16).toUpperCase().padStart(6, '0')}`;
}
