/**
 * Everything the hot loop copies instead of formatting: the fixed text between
 * fields for each output format, every domain value already escaped for that
 * format, and every date of the range with the separators around it. A row is
 * then a few word-sized copies plus digits.
 *
 * Pieces are stored word-aligned in a Uint32Array and copied 4 bytes at a time
 * (DataView, little-endian); a copy may spill up to 3 bytes past the piece,
 * which the next write overwrites — buffers get WRITE_SLACK spare bytes at the end.
 */
import { formatEpochDay } from '../shared/dates.ts';
import { csvField } from '../shared/format.ts';
import type { GenFormat } from './options.ts';

/** Spare bytes at the end of an output buffer for word-sized spills. */
export const WRITE_SLACK = 8;
export const TRANSACTION_ID_PREFIX = 'TX-';
/** Hex digits after the prefix: the id is a 48-bit number. */
export const TRANSACTION_ID_HEX_DIGITS = 12;

/** A set of byte strings, each starting on a word boundary of `words`. */
export interface PieceTable {
  readonly words: Uint32Array;
  /** Per piece: first word, number of words, length in bytes. */
  readonly word: Int32Array;
  readonly count: Int32Array;
  readonly len: Int32Array;
}

export interface RowEncoding {
  readonly format: GenFormat;
  /**
   * Pieces, by index: 0 = before the transaction id's hex digits (ends "TX-"),
   * 1 = between transaction id and customer id, then DAY_PIECES_START + day
   * (separators, date, separators up to the amount), then categoryPiece[c]
   * (separators around the category) and regionPiece[r] (region, end of row).
   */
  readonly pieces: PieceTable;
  readonly categoryPiece: Int32Array;
  readonly regionPiece: Int32Array;
  /** Upper bound of one row's length, for sizing buffers. */
  readonly maxRowBytes: number;
}

export const ID_PREFIX_PIECE = 0;
export const AFTER_ID_PIECE = 1;
export const DAY_PIECES_START = 2;

export function buildPieceTable(texts: readonly string[]): PieceTable {
  const enc = new TextEncoder();
  const encoded = texts.map((t) => enc.encode(t));
  const word = new Int32Array(texts.length);
  const count = new Int32Array(texts.length);
  const len = new Int32Array(texts.length);
  let total = 0;
  encoded.forEach((b, i) => {
    word[i] = total;
    count[i] = Math.ceil(b.length / 4);
    len[i] = b.length;
    total += count[i];
  });
  const words = new Uint32Array(total);
  const bytes = new Uint8Array(words.buffer);
  encoded.forEach((b, i) => {
    bytes.set(b, word[i] * 4);
  });
  // Uint32Array reads use the platform byte order; the hot loop writes little-endian.
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
    const dv = new DataView(words.buffer);
    for (let i = 0; i < total; i++) words[i] = dv.getUint32(i * 4, true);
  }
  return { words, word, count, len };
}

export function buildRowEncoding(
  format: GenFormat,
  categories: readonly string[],
  regions: readonly string[],
  startDay: number,
  endDay: number,
  maxCustomerId: number,
): RowEncoding {
  const csv = format === 'csv';
  const texts: string[] = [
    csv ? TRANSACTION_ID_PREFIX : `{"transaction_id":"${TRANSACTION_ID_PREFIX}`,
    csv ? ',' : '","customer_id":',
  ];
  for (let day = startDay; day <= endDay; day++) {
    const d = formatEpochDay(day);
    texts.push(csv ? `,${d},` : `,"transaction_date":"${d}","sale_amount":`);
  }
  const categoryPiece = Int32Array.from(categories, (c) => {
    texts.push(csv ? `,${csvField(c)},` : `,"product_category":${JSON.stringify(c)},"sales_region":`);
    return texts.length - 1;
  });
  const regionPiece = Int32Array.from(regions, (r) => {
    texts.push(csv ? `${csvField(r)}\n` : `${JSON.stringify(r)}}\n`);
    return texts.length - 1;
  });
  const pieces = buildPieceTable(texts);
  const maxLen = (idx: Int32Array) => idx.reduce((m, i) => Math.max(m, pieces.len[i]), 0);
  const maxRowBytes =
    pieces.len[ID_PREFIX_PIECE] +
    TRANSACTION_ID_HEX_DIGITS +
    pieces.len[AFTER_ID_PIECE] +
    String(maxCustomerId).length +
    pieces.len[DAY_PIECES_START] +
    '5000.00'.length +
    maxLen(categoryPiece) +
    maxLen(regionPiece);
  return {
    format,
    pieces,
    categoryPiece,
    regionPiece,
    maxRowBytes,
  };
}
