/**
 * The row validator: turns raw field values (CSV fields or a JSON object) into a
 * typed SalesRecord, or into one reason per failed field. Used by to-parquet,
 * the pipelines and the warehouse loaders, so every path rejects the same rows
 * for the same reasons.
 */
import { parseIsoDate } from '../dates.ts';
import { MAX_NUMERIC_12_2_CENTS, parseCents } from '../money.ts';
import { COLUMN_NAMES, type ColumnName, CSV_HEADER, DATE_RANGE, lookupColumn } from './columns.ts';
import { checkDomains, DEFAULT_DOMAINS, type SalesDomains } from './domains.ts';
import type { Int64Value, SalesRecord } from './record.ts';
import { escapeUnseen, quoteForMessage } from '../format.ts';

export interface FieldError<Field extends string = ColumnName> {
  /** The failing column, or `_row` for problems with the row as a whole. */
  field: Field | '_row';
  value: string;
  reason: string;
}

export type RowResult = { ok: true; record: SalesRecord } | { ok: false; errors: FieldError[] };

export const TRANSACTION_ID_MAX_LENGTH = 64;
/**
 * The longest line (CSV row or NDJSON object, without its line break) any
 * reader takes as a record. Every field of a valid record is bounded (ids 64
 * characters, domain values 100, numbers and dates a few digits), so a longer
 * line is a bad row: readers reject it as one, without holding it whole.
 */
export const MAX_LINE_BYTES = 64 * 1024;
/** Allowed transaction_id shape; also emitted into SQL by the push-down validation. */
export const TRANSACTION_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]*$';
const TRANSACTION_ID_RE = new RegExp(TRANSACTION_ID_PATTERN);
/** customer_id as text: digits only (no sign, spaces or exponent). */
export const CUSTOMER_ID_PATTERN = '^[0-9]+$';
const INT_RE = new RegExp(CUSTOMER_ID_PATTERN);
/** The range of a valid transaction_date (epoch days), from the schema's DATE_RANGE. */
export const MIN_DATE = parseIsoDate(DATE_RANGE.min);
export const MAX_DATE = parseIsoDate(DATE_RANGE.max);
const DATE_RANGE_TEXT = `${DATE_RANGE.min}..${DATE_RANGE.max}`;

/** Reason the value is not a valid transaction_id, or null. */
export function checkTransactionId(v: string): string | null {
  if (v.length === 0) return 'is empty';
  if (v.length > TRANSACTION_ID_MAX_LENGTH) return `is longer than ${TRANSACTION_ID_MAX_LENGTH} characters`;
  if (!TRANSACTION_ID_RE.test(v)) return 'has characters other than letters, digits, "_", ".", ":" and "-"';
  return null;
}

/** The largest INT64. */
export const INT64_MAX = 9_223_372_036_854_775_807n;

/**
 * customer_id exactly (a number up to 2^53 - 1, a bigint up to INT64_MAX, see
 * Int64Value), or a reason string.
 */
export function parseCustomerId(v: string): Int64Value | string {
  if (v.length === 0) return 'is empty';
  if (!INT_RE.test(v)) return 'is not a whole number';
  const n = Number(v);
  if (Number.isSafeInteger(n)) return n < 1 ? 'must be at least 1' : n;
  const big = BigInt(v);
  return big > INT64_MAX ? `is too large for INT64 (max ${INT64_MAX})` : big;
}

/** Epoch day, or a reason string (the one verdict on a date, for data and flags alike). */
export function parseTransactionDate(v: string): number | string {
  if (v.length === 0) return 'is empty';
  const day = parseIsoDate(v);
  if (Number.isNaN(day)) return 'is not a valid date (expected YYYY-MM-DD)';
  return dateRangeReason(day) ?? day;
}

/** Why an epoch day is not an acceptable transaction_date, or null. */
export function dateRangeReason(day: number): string | null {
  return day < MIN_DATE || day > MAX_DATE ? `is outside ${DATE_RANGE_TEXT}` : null;
}

/** Cents, or a reason string. */
export function parseSaleAmount(v: string): number | string {
  if (v.length === 0) return 'is empty';
  const cents = parseCents(v);
  if (Number.isNaN(cents)) return malformedAmountReason(v);
  if (cents <= 0) return 'must be greater than 0';
  if (cents > MAX_NUMERIC_12_2_CENTS) return 'exceeds NUMERIC(12,2) (max 9999999999.99)';
  return cents;
}

/** Why a value parseCents refused is not an amount: too many decimals, too large, or not a decimal at all. */
function malformedAmountReason(v: string): string {
  const plain = /^(-?)0*([0-9]*)(\.[0-9]{1,2})?$/.exec(v);
  if (plain === null || (plain[2] === '' && !/[0-9]/.test(v))) {
    return 'is not a decimal number with at most 2 decimals (e.g. 123.45)';
  }
  if (plain[1] === '-') return 'must be greater than 0';
  return plain[2].length > 10
    ? 'exceeds NUMERIC(12,2) (max 9999999999.99)'
    : 'has more than 10 digits before the decimal point';
}

/**
 * Why `v` cannot be this column's value, for the columns whose type decides it
 * (ids, customer ids, dates, amounts), or null; domain columns need the
 * domains, so the row checks judge those. Used where one value stands for many
 * rows, e.g. a hive folder `transaction_date=…`.
 */
export function typedValueProblem(column: ColumnName, v: string): string | null {
  switch (column) {
    case 'transaction_id':
      return checkTransactionId(v);
    case 'customer_id': {
      const r = parseCustomerId(v);
      return typeof r === 'string' ? r : null;
    }
    case 'transaction_date': {
      const r = parseTransactionDate(v);
      return typeof r === 'string' ? r : null;
    }
    case 'sale_amount': {
      const r = parseSaleAmount(v);
      return typeof r === 'string' ? r : null;
    }
    default:
      return null;
  }
}

function domainReason(v: string, domain: readonly string[]): string | null {
  if (v.length === 0) return 'is empty';
  if (domain.includes(v)) return null;
  const ci = domain.find((d) => d.toLowerCase() === v.toLowerCase());
  return ci === undefined
    ? `is not one of: ${domain.join(', ')}`
    : `is not one of the allowed values (did you mean "${ci}"?)`;
}

export class RecordValidator {
  readonly domains: SalesDomains;
  private readonly categories: Set<string>;
  private readonly regions: Set<string>;

  constructor(domains: SalesDomains = DEFAULT_DOMAINS) {
    this.domains = domains === DEFAULT_DOMAINS ? domains : checkDomains(domains);
    this.categories = new Set(domains.categories);
    this.regions = new Set(domains.regions);
  }

  /** Validate fields given in CSV column order. */
  validateFields(fields: readonly string[]): RowResult {
    if (fields.length !== COLUMN_NAMES.length) {
      return {
        ok: false,
        errors: [
          {
            field: '_row',
            value: fields.join(','),
            reason: `has ${fields.length} field${fields.length === 1 ? '' : 's'}, expected ${COLUMN_NAMES.length}`,
          },
        ],
      };
    }
    return this.validateValues(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
  }

  /**
   * Validate a JSON object (NDJSON line, Pub/Sub message). Keys may be canonical
   * names or aliases; numbers are accepted for the numeric columns.
   */
  validateObject(obj: unknown): RowResult {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      return { ok: false, errors: [{ field: '_row', value: preview(obj), reason: 'is not a JSON object' }] };
    }
    const values = new Map<ColumnName, string>();
    const keyOf = new Map<ColumnName, string>();
    const errors: FieldError[] = [];
    for (const [key, raw] of Object.entries(obj as Record<string, unknown>)) {
      const col = lookupColumn(key);
      if (col === undefined) {
        errors.push({ field: '_row', value: key, reason: `has unknown field ${quoteForMessage(key)}` });
        continue;
      }
      // Two keys naming one column (an alias, another case): neither value is the record's.
      const earlier = keyOf.get(col);
      if (earlier !== undefined) {
        errors.push({
          field: '_row',
          value: key,
          reason: `has fields ${quoteForMessage(earlier)} and ${quoteForMessage(key)} both name ${col}`,
        });
        continue;
      }
      keyOf.set(col, key);
      if (typeof raw === 'string') values.set(col, raw);
      else if (typeof raw === 'number' && Number.isInteger(raw) && !Number.isSafeInteger(raw)) {
        // Already rounded to a double by whoever parsed the JSON: the exact value is gone.
        errors.push({ field: col, value: String(raw), reason: 'is a number past 2^53, not exact as a double' });
      } else if (typeof raw === 'number' && Number.isFinite(raw)) values.set(col, String(raw));
      else if (raw === null || raw === undefined) values.set(col, '');
      else
        errors.push({ field: col, value: preview(raw), reason: `has type ${typeof raw}, expected string or number` });
    }
    const v = (c: ColumnName) => values.get(c) ?? '';
    const res = this.validateValues(
      v('transaction_id'),
      v('customer_id'),
      v('transaction_date'),
      v('sale_amount'),
      v('product_category'),
      v('sales_region'),
    );
    if (errors.length === 0) return res;
    return {
      ok: false,
      errors: res.ok ? errors : [...errors, ...res.errors.filter((e) => !errors.some((x) => x.field === e.field))],
    };
  }

  validateValues(
    transactionId: string,
    customerId: string,
    transactionDate: string,
    saleAmount: string,
    productCategory: string,
    salesRegion: string,
  ): RowResult {
    let errors: FieldError[] | undefined;
    const fail = (field: ColumnName, value: string, reason: string) => {
      errors ??= [];
      errors.push({ field, value, reason });
    };
    const idReason = checkTransactionId(transactionId);
    if (idReason !== null) fail('transaction_id', transactionId, idReason);
    const customer = parseCustomerId(customerId);
    if (typeof customer === 'string') fail('customer_id', customerId, customer);
    const day = parseTransactionDate(transactionDate);
    if (typeof day === 'string') fail('transaction_date', transactionDate, day);
    const cents = parseSaleAmount(saleAmount);
    if (typeof cents === 'string') fail('sale_amount', saleAmount, cents);
    if (!this.categories.has(productCategory)) {
      fail('product_category', productCategory, domainReason(productCategory, this.domains.categories)!);
    }
    if (!this.regions.has(salesRegion)) {
      fail('sales_region', salesRegion, domainReason(salesRegion, this.domains.regions)!);
    }
    if (errors !== undefined) return { ok: false, errors };
    return {
      ok: true,
      record: {
        transaction_id: transactionId,
        customer_id: customer as Int64Value,
        transaction_date: transactionDate,
        sale_amount: cents as number,
        product_category: productCategory,
        sales_region: salesRegion,
      },
    };
  }
}

/** "sale_amount: "abc" is not a decimal number …; sales_region: …" */
export function formatFieldErrors(errors: readonly FieldError<string>[]): string {
  return errors
    .map((e) =>
      e.field === '_row' ? `row ${e.reason}` : `${e.field} ${quoteForMessage(truncate(e.value))} ${e.reason}`,
    )
    .join('; ');
}

export interface HeaderProblem {
  missing: ColumnName[];
  extra: string[];
  misordered: boolean;
  message: string;
}

/**
 * Check a CSV header against the schema. Exact names in schema order; a UTF-8
 * BOM and surrounding spaces are tolerated. Returns null when it matches.
 */
export function checkHeader(header: readonly string[]): HeaderProblem | null {
  const got = header.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
  if (got.length === COLUMN_NAMES.length && got.every((h, i) => h === COLUMN_NAMES[i])) return null;
  const missing = COLUMN_NAMES.filter((c) => !got.includes(c));
  const extra = got.filter((h) => !(COLUMN_NAMES as readonly string[]).includes(h));
  const misordered = missing.length === 0 && extra.length === 0;
  const parts: string[] = [];
  if (missing.length) parts.push(`missing ${missing.join(', ')}`);
  if (extra.length) parts.push(`unexpected ${extra.map(quoteForMessage).join(', ')}`);
  if (misordered) parts.push('columns out of order');
  return {
    missing,
    extra,
    misordered,
    message: `header does not match the sales schema (${parts.join('; ')}): expected "${CSV_HEADER}", got ${quoteForMessage(truncate(got.join(','), 200))}`,
  };
}

function truncate(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function preview(v: unknown): string {
  try {
    return truncate(escapeUnseen(JSON.stringify(v) ?? String(v)));
  } catch {
    return truncate(escapeUnseen(String(v)));
  }
}
