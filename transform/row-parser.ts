/**
 * Byte-level parsing of record-aligned chunks of a sales CSV (or NDJSON) file.
 *
 * One physical line is one record. A fast path reads the common, unquoted,
 * ASCII line straight from the bytes — digits to numbers, `YYYY-MM-DD` to epoch
 * days, category/region to dictionary indexes — without creating strings. Any
 * line the fast path does not fully accept (quotes, non-ASCII, anything odd) is
 * decoded and judged by the shared RecordValidator, so the verdicts and reasons
 * are exactly those of shared/schema/validate.ts: the fast path only ever
 * *accepts* rows the validator accepts, it never rejects on its own.
 *
 * Line breaks inside quoted fields are not supported on purpose: no valid sales
 * value can contain one, and keeping "record = line" lets the file be split at
 * any newline for parallel parsing and keeps an unbalanced quote from swallowing
 * the rest of the file (it costs one rejected line instead).
 */
import { daysFromCivil, isLeapYear, parseIsoDate } from '../shared/dates.ts';
import { lossyUtf8Decoder, strictUtf8Decoder } from '../shared/utf8.ts';
import {
  formatFieldErrors,
  type Int64Value,
  judgeJsonRecord,
  MAX_DATE,
  MAX_LINE_BYTES,
  MIN_DATE,
  RecordValidator,
  type SalesDomains,
  type SalesRecord,
} from '../shared/schema/index.ts';

export type InputFormat = 'csv' | 'ndjson';

/** Receives parsed rows. Ids are ASCII bytes `bytes[idStart, idEnd)`; line is 0-based within the chunk. */
export interface RowSink {
  row(
    bytes: Uint8Array,
    idStart: number,
    idEnd: number,
    /** A number, or a bigint past 2^53 (Int64Value). */
    customer: Int64Value,
    day: number,
    cents: number,
    category: number,
    region: number,
    /** 0-based line within the chunk (a sink that keeps order or line numbers needs it). */
    line: number,
  ): void;
  reject(line: number, raw: string, reason: string): void;
}

export interface ChunkStats {
  /** Physical lines in the chunk (so the caller can number the next chunk's lines). */
  lines: number;
  rows: number;
  rejected: number;
}

const COMMA = 0x2c;
const NL = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const DOT = 0x2e;
const DASH = 0x2d;
const MAX_ID = 64;
/** What a rejected over-long line keeps of itself in the rejects (a line can be many MB). */
const LONG_LINE_PREVIEW_BYTES = 1024;
/** 15 digits are always a safe integer; longer numbers go to the validator. */
const MAX_FAST_DIGITS = 15;

// Bytes allowed in a transaction_id: [A-Za-z0-9_.:-]; the first must be alphanumeric.
const ID_BYTE = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9]/.test(ch)) ID_BYTE[c] = 2;
  else if (/[_.:-]/.test(ch)) ID_BYTE[c] = 1;
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

interface DomainTable {
  values: Uint8Array[];
  strings: readonly string[];
}

function domainTable(values: readonly string[]): DomainTable {
  const enc = new TextEncoder();
  return { values: values.map((v) => enc.encode(v)), strings: values };
}

/** Index of bytes[s, e) in the domain, or -1. */
function matchDomain(table: DomainTable, bytes: Uint8Array, s: number, e: number): number {
  const len = e - s;
  const vals = table.values;
  outer: for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    if (v.length !== len) continue;
    for (let j = 0; j < len; j++) if (v[j] !== bytes[s + j]) continue outer;
    return i;
  }
  return -1;
}

/** Split one CSV line (no line break) into fields per RFC 4180, or return a reason. */
export function splitCsvLine(line: string): string[] | string {
  const fields: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    if (line.charCodeAt(i) === QUOTE) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) return `has an unterminated quoted field (field ${fields.length + 1})`;
        value += line.slice(j, q);
        if (line.charCodeAt(q + 1) === QUOTE) {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === n) return fields;
      if (line.charCodeAt(i) !== COMMA) {
        return `has text after the closing quote of field ${fields.length} (quote fields whole, double inner quotes)`;
      }
      i++;
    } else {
      const c = line.indexOf(',', i);
      const end = c < 0 ? n : c;
      const value = line.slice(i, end);
      if (value.includes('"')) {
        return `has a quote inside unquoted field ${fields.length + 1} (quote the whole field and double inner quotes)`;
      }
      fields.push(value);
      if (c < 0) return fields;
      i = c + 1;
    }
  }
}

export class ChunkParser {
  readonly format: InputFormat;
  private readonly validator: RecordValidator;
  private readonly categories: DomainTable;
  private readonly regions: DomainTable;
  private readonly utf8 = strictUtf8Decoder();
  private readonly lossy = lossyUtf8Decoder();
  private readonly encoder = new TextEncoder();
  private readonly idScratch = new Uint8Array(MAX_ID * 4);

  constructor(domains: SalesDomains, format: InputFormat = 'csv') {
    this.format = format;
    this.validator = new RecordValidator(domains);
    this.categories = domainTable(domains.categories);
    this.regions = domainTable(domains.regions);
  }

  /**
   * Parse the lines of bytes[start, end). The range must start at a line start;
   * a last line without a newline is parsed as a whole line (end of file).
   */
  parse(bytes: Uint8Array, sink: RowSink, start = 0, end = bytes.length): ChunkStats {
    const stats: ChunkStats = { lines: 0, rows: 0, rejected: 0 };
    let p = start;
    while (p < end) {
      let nl = this.format === 'csv' ? this.fastLine(bytes, p, end, sink, stats.lines) : -1;
      if (nl >= 0) {
        stats.rows++;
      } else {
        nl = bytes.indexOf(NL, p);
        if (nl < 0 || nl >= end) nl = end;
        let le = nl;
        if (le > p && bytes[le - 1] === CR) le--;
        if (le - p > MAX_LINE_BYTES) {
          this.tooLong(bytes, p, le, stats.lines, sink);
          stats.rejected++;
        } else if (le > p) {
          if (this.slowLine(bytes, p, le, stats.lines, sink)) stats.rows++;
          else stats.rejected++;
        }
      }
      stats.lines++;
      p = nl + 1;
    }
    return stats;
  }

  /** Fast path: returns the index of the line's '\n' (or `end`) if the line was accepted, else -1. */
  private fastLine(b: Uint8Array, p: number, end: number, sink: RowSink, line: number): number {
    // transaction_id
    const idStart = p;
    if (p >= end || ID_BYTE[b[p]] !== 2) return -1;
    p++;
    while (p < end && ID_BYTE[b[p]] !== 0) p++;
    const idEnd = p;
    if (idEnd - idStart > MAX_ID || p >= end || b[p] !== COMMA) return -1;
    p++;
    // customer_id: 1–15 digits, ≥ 1
    let customer = 0;
    const cs = p;
    while (p < end) {
      const d = b[p] - 48;
      if (d < 0 || d > 9) break;
      customer = customer * 10 + d;
      p++;
    }
    if (p === cs || p - cs > MAX_FAST_DIGITS || customer < 1 || p >= end || b[p] !== COMMA) return -1;
    p++;
    // transaction_date: YYYY-MM-DD
    if (p + 10 >= end || b[p + 4] !== DASH || b[p + 7] !== DASH || b[p + 10] !== COMMA) return -1;
    const y = digits(b, p, 4);
    const m = digits(b, p + 5, 2);
    const d = digits(b, p + 8, 2);
    if (y < 0 || m < 1 || m > 12 || d < 1) return -1;
    if (d > DAYS_IN_MONTH[m] && !(m === 2 && d === 29 && isLeapYear(y))) return -1;
    // The same codec and accepted range as the validator (shared/dates.ts, the schema's DATE_RANGE).
    const day = daysFromCivil(y, m, d);
    if (day < MIN_DATE || day > MAX_DATE) return -1;
    p += 11;
    // sale_amount: 1–10 digits, optional . and 1–2 digits, > 0
    let whole = 0;
    const ws = p;
    while (p < end) {
      const x = b[p] - 48;
      if (x < 0 || x > 9) break;
      whole = whole * 10 + x;
      p++;
    }
    if (p === ws || p - ws > 10 || p >= end) return -1;
    let cents = whole * 100;
    if (b[p] === DOT) {
      p++;
      const fs = p;
      let frac = 0;
      while (p < end) {
        const x = b[p] - 48;
        if (x < 0 || x > 9) break;
        frac = frac * 10 + x;
        p++;
      }
      const fl = p - fs;
      if (fl === 0 || fl > 2 || p >= end) return -1;
      cents += fl === 1 ? frac * 10 : frac;
    }
    if (cents <= 0 || b[p] !== COMMA) return -1;
    p++;
    // product_category, sales_region: exact domain matches
    const cs2 = p;
    while (p < end && b[p] !== COMMA && b[p] !== NL && b[p] !== QUOTE) p++;
    if (p >= end || b[p] !== COMMA) return -1;
    const category = matchDomain(this.categories, b, cs2, p);
    if (category < 0) return -1;
    p++;
    const rs = p;
    while (p < end && b[p] !== NL && b[p] !== COMMA && b[p] !== QUOTE) p++;
    if (p < end && b[p] !== NL) return -1;
    const re = p > rs && b[p - 1] === CR ? p - 1 : p;
    const region = matchDomain(this.regions, b, rs, re);
    if (region < 0) return -1;
    sink.row(b, idStart, idEnd, customer, day, cents, category, region, line);
    return p;
  }

  /** A line past MAX_LINE_BYTES (possibly cut short by the chunker): one rejected row, its start kept. */
  private tooLong(b: Uint8Array, s: number, e: number, line: number, sink: RowSink): void {
    const preview = this.lossy.decode(b.subarray(s, Math.min(e, s + LONG_LINE_PREVIEW_BYTES)));
    sink.reject(line, `${preview}…`, `row is longer than ${MAX_LINE_BYTES} bytes`);
  }

  /** Slow path: decode, split, validate with the shared validator. true if the row was accepted. */
  private slowLine(b: Uint8Array, s: number, e: number, line: number, sink: RowSink): boolean {
    const bytes = b.subarray(s, e);
    let r: SalesRecord;
    if (this.format === 'ndjson') {
      // The codec every JSON record goes through (Pub/Sub messages too).
      const verdict = judgeJsonRecord(bytes, this.validator);
      if (!verdict.ok) {
        sink.reject(line, verdict.text ?? this.lossy.decode(bytes), verdict.reason);
        return false;
      }
      r = verdict.record;
    } else {
      let text: string;
      try {
        text = this.utf8.decode(bytes);
      } catch {
        sink.reject(line, this.lossy.decode(bytes), 'row is not valid UTF-8');
        return false;
      }
      const fields = splitCsvLine(text);
      if (typeof fields === 'string') {
        sink.reject(line, text, `row ${fields}`);
        return false;
      }
      const result = this.validator.validateFields(fields);
      if (!result.ok) {
        sink.reject(line, text, formatFieldErrors(result.errors));
        return false;
      }
      r = result.record;
    }
    const id = this.encoder.encodeInto(r.transaction_id, this.idScratch);
    sink.row(
      this.idScratch,
      0,
      id.written,
      r.customer_id,
      parseIsoDate(r.transaction_date),
      r.sale_amount,
      this.categories.strings.indexOf(r.product_category),
      this.regions.strings.indexOf(r.sales_region),
      line,
    );
    return true;
  }
}

function digits(b: Uint8Array, p: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = b[p + i] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}
