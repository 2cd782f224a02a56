/**
 * Group labels as small integer codes, so the hot loop of the arrow engine
 * indexes plain arrays instead of hashing strings. One LabelCodes per group
 * key; the decoders below turn an Arrow column chunk into one code per row
 * without building a JS string per row.
 */
import { type Data, Type } from 'apache-arrow';
import { formatEpochDay, weekdayOfEpochDay } from '../../shared/dates.ts';
import { lossyUtf8Decoder } from '../../shared/utf8.ts';
import type { DatePart } from '../query.ts';

export class LabelCodes {
  readonly labels: string[] = [];
  private readonly byLabel = new Map<string, number>();

  code(label: string): number {
    let c = this.byLabel.get(label);
    if (c === undefined) {
      c = this.labels.length;
      this.labels.push(label);
      this.byLabel.set(label, c);
    }
    return c;
  }
}

/** The label of an epoch day for a date unit: `2024-03-05`, week's Monday, `2024-03`, `2024`. */
export function dateLabel(day: number, part: DatePart | undefined): string {
  switch (part) {
    case undefined:
    case 'day':
      return formatEpochDay(day);
    case 'week':
      return formatEpochDay(day - weekdayOfEpochDay(day));
    case 'month':
      return formatEpochDay(day).slice(0, 7);
    case 'year':
      return formatEpochDay(day).slice(0, 4);
  }
}

const decoder = lossyUtf8Decoder();

/**
 * Codes for a UTF-8 string column (plain or dictionary-encoded). Plain strings
 * are hashed from their bytes (FNV-1a) and verified against the first bytes seen
 * for that hash, so a collision can never merge two labels.
 */
export class StringCoder {
  private readonly byHash = new Map<number, { code: number; bytes: Uint8Array }>();
  private readonly collisions = new Map<string, number>();

  readonly codes: LabelCodes;

  constructor(codes: LabelCodes) {
    this.codes = codes;
  }

  decode(data: Data, out: Int32Array): void {
    if (data.typeId === Type.Dictionary) {
      // Decoded here, not with dict.get(): Arrow's own decoder drops a leading U+FEFF.
      const dictCodes = Int32Array.from(utf8Values(data.dictionary!.data), (label) => this.codes.code(label));
      const idx = data.values as ArrayLike<number>;
      for (let i = 0; i < data.length; i++) out[i] = dictCodes[idx[data.offset + i]];
      return;
    }
    // LargeUtf8 (written by e.g. polars) carries 64-bit offsets.
    const raw = data.valueOffsets as Int32Array | BigInt64Array;
    const offsets = raw instanceof BigInt64Array ? Int32Array.from(raw, (x) => Number(x)) : raw;
    const bytes = data.values as Uint8Array;
    const byHash = this.byHash;
    for (let i = 0; i < data.length; i++) {
      const s = offsets[data.offset + i];
      const e = offsets[data.offset + i + 1];
      let h = 0x811c9dc5 ^ (e - s);
      for (let j = s; j < e; j++) h = Math.imul(h ^ bytes[j], 16777619);
      const hit = byHash.get(h);
      if (hit !== undefined && sameBytes(hit.bytes, bytes, s, e)) {
        out[i] = hit.code;
        continue;
      }
      const label = decoder.decode(bytes.subarray(s, e));
      if (hit === undefined) {
        const code = this.codes.code(label);
        byHash.set(h, { code, bytes: bytes.slice(s, e) });
        out[i] = code;
      } else {
        let code = this.collisions.get(label);
        if (code === undefined) {
          code = this.codes.code(label);
          this.collisions.set(label, code);
        }
        out[i] = code;
      }
    }
  }
}

/** The strings of Utf8 / LargeUtf8 chunks, decoded byte for byte. */
function* utf8Values(chunks: readonly Data[]): Iterable<string> {
  for (const d of chunks) {
    const offsets = d.valueOffsets as Int32Array | BigInt64Array;
    const bytes = d.values as Uint8Array;
    for (let i = 0; i < d.length; i++) {
      const s = Number(offsets[d.offset + i]);
      const e = Number(offsets[d.offset + i + 1]);
      yield decoder.decode(bytes.subarray(s, e));
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array, s: number, e: number): boolean {
  if (a.length !== e - s) return false;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[s + j]) return false;
  return true;
}

/** Codes for a DATE column grouped by a unit; each distinct day's label is computed once. */
export class DateCoder {
  private readonly byDay = new Map<number, number>();

  readonly codes: LabelCodes;
  readonly part: DatePart | undefined;

  constructor(codes: LabelCodes, part: DatePart | undefined) {
    this.codes = codes;
    this.part = part;
  }

  decode(data: Data, out: Int32Array): void {
    const days = data.values as Int32Array;
    let lastDay = Number.NaN;
    let lastCode = 0;
    for (let i = 0; i < data.length; i++) {
      const d = days[data.offset + i];
      if (d !== lastDay) {
        let c = this.byDay.get(d);
        if (c === undefined) {
          c = this.codes.code(dateLabel(d, this.part));
          this.byDay.set(d, c);
        }
        lastDay = d;
        lastCode = c;
      }
      out[i] = lastCode;
    }
  }
}

/** Past this high word a value is beyond 2^53: no longer exact as a double. */
const SAFE_HIGH_WORD = 0x200000;

/**
 * Codes for an INT64 column (customer ids): read as two 32-bit halves, no
 * BigInt per row while the value fits a double exactly (|v| < 2^53), an exact
 * BigInt past that (two ids never share a label).
 */
export class Int64Coder {
  private readonly byValue = new Map<number, number>();

  readonly codes: LabelCodes;

  constructor(codes: LabelCodes) {
    this.codes = codes;
  }

  decode(data: Data, out: Int32Array): void {
    const { lo, hi } = int64Halves(data);
    for (let i = 0; i < data.length; i++) {
      const k = 2 * (data.offset + i);
      const h = hi[k + 1];
      if (h < -SAFE_HIGH_WORD || h >= SAFE_HIGH_WORD) {
        out[i] = this.codes.code(String(BigInt.asIntN(64, (BigInt(h) << 32n) | BigInt(lo[k]))));
        continue;
      }
      const v = lo[k] + h * 4294967296;
      let c = this.byValue.get(v);
      if (c === undefined) {
        c = this.codes.code(String(v));
        this.byValue.set(v, c);
      }
      out[i] = c;
    }
  }
}

/**
 * Little-endian 64-bit values as word views: value i = lo[2i] + hi[2i+1] * 2^32,
 * exact as a double for |value| < 2^53 (cents of any NUMERIC(12,2)); compare the
 * words themselves past that (Int64Coder, INT64 filters).
 */
export function int64Halves(data: Data, wordsPerValue = 2): { lo: Uint32Array; hi: Int32Array; stride: number } {
  const v = data.values as ArrayBufferView;
  return {
    lo: new Uint32Array(v.buffer, v.byteOffset, v.byteLength >>> 2),
    hi: new Int32Array(v.buffer, v.byteOffset, v.byteLength >>> 2),
    stride: wordsPerValue,
  };
}
