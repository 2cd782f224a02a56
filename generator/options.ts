/**
 * What `generateSales` accepts, its defaults, and the checks that turn bad values
 * into UsageErrors naming the flag. Defaults are fixed (not "today"), so the same
 * command gives the same bytes on any day.
 */
import { availableParallelism } from 'node:os';
import { UsageError } from '../shared/errors.ts';
import { checkDomains, DEFAULT_DOMAINS, type SalesDomains } from '../shared/schema/domains.ts';
import { parseTransactionDate } from '../shared/schema/validate.ts';
import { quoteForMessage } from '../shared/format.ts';

export const GEN_FORMATS = ['csv', 'ndjson'] as const;
export type GenFormat = (typeof GEN_FORMATS)[number];

export interface GenOptions {
  /** Rows to produce (default 10,000,000). */
  rows?: number;
  /** Rows per batch; each batch has its own random stream (default 1,000,000). */
  batchSize?: number;
  seed?: number;
  /** Output file (default data/sales.csv). */
  out?: string;
  /** Worker threads; 0 generates on the calling thread (default: available cores). */
  workers?: number;
  /** First and last sale date, `YYYY-MM-DD` (default 2024-01-01 … 2025-12-31). */
  startDate?: string;
  endDate?: string;
  /** Number of distinct customers (default 100,000). */
  customers?: number;
  format?: GenFormat;
  /** Also write customers.csv and products.csv next to the output (faker, seeded). */
  dimensions?: boolean;
  /** Replace existing outputs. */
  force?: boolean;
  domains?: SalesDomains;
  /** The file `domains` was read from: an input, so no output may overlap it. */
  domainsFile?: string;
}

export interface ResolvedGenOptions {
  rows: number;
  batchSize: number;
  seed: number;
  out: string;
  workers: number;
  startDate: string;
  endDate: string;
  /** Epoch days. */
  startDay: number;
  endDay: number;
  customers: number;
  format: GenFormat;
  dimensions: boolean;
  force: boolean;
  domains: SalesDomains;
}

export const GEN_DEFAULTS = Object.freeze({
  rows: 10_000_000,
  batchSize: 1_000_000,
  seed: 42,
  out: 'data/sales.csv',
  startDate: '2024-01-01',
  endDate: '2025-12-31',
  customers: 100_000,
  format: 'csv' as GenFormat,
});

/** Transaction ids are a permutation of 48-bit row numbers, and 1e12 rows is ~55 TB of CSV anyway. */
export const MAX_ROWS = 1e12;
export const MAX_CUSTOMERS = 10_000_000;
export const MAX_BATCH_SIZE = 100_000_000;
export const MAX_WORKERS = 64;

/** The whole-number flags of gen and their ranges, for the command line and the library alike. */
const COUNT_RANGES = {
  rows: [1, MAX_ROWS],
  'batch-size': [1, MAX_BATCH_SIZE],
  seed: [0, Number.MAX_SAFE_INTEGER],
  workers: [0, MAX_WORKERS],
  customers: [1, MAX_CUSTOMERS],
} as const;
type CountFlag = keyof typeof COUNT_RANGES;

export function resolveGenOptions(o: GenOptions = {}): ResolvedGenOptions {
  const rows = intOption('rows', o.rows ?? GEN_DEFAULTS.rows);
  const batchSize = intOption('batch-size', o.batchSize ?? GEN_DEFAULTS.batchSize);
  const seed = intOption('seed', o.seed ?? GEN_DEFAULTS.seed);
  const workers = intOption('workers', o.workers ?? availableParallelism());
  const customers = intOption('customers', o.customers ?? GEN_DEFAULTS.customers);
  const startDate = o.startDate ?? GEN_DEFAULTS.startDate;
  const endDate = o.endDate ?? GEN_DEFAULTS.endDate;
  const startDay = dateOption('start-date', startDate);
  const endDay = dateOption('end-date', endDate);
  if (startDay > endDay) {
    throw new UsageError(`--start-date ${startDate} is after --end-date ${endDate}`, { field: 'start-date' });
  }
  const format = o.format ?? GEN_DEFAULTS.format;
  if (!GEN_FORMATS.includes(format)) {
    throw new UsageError(`--format must be one of ${GEN_FORMATS.join(', ')}, got "${format}"`, { field: 'format' });
  }
  const out = o.out ?? GEN_DEFAULTS.out;
  if (out.length === 0) throw new UsageError('--out must not be empty', { field: 'out' });
  // Only values every reader takes back as themselves (shared/schema/domains.ts).
  const domains = o.domains === undefined ? DEFAULT_DOMAINS : checkDomains(o.domains, '--domains');
  return {
    rows,
    batchSize,
    seed,
    out,
    workers,
    startDate,
    endDate,
    startDay,
    endDay,
    customers,
    format,
    dimensions: o.dimensions ?? false,
    force: o.force ?? false,
    domains,
  };
}

function intOption(flag: CountFlag, v: number): number {
  const [min, max] = COUNT_RANGES[flag];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new UsageError(`--${flag} must be ${wholeNumberRule(min, max)}, got ${JSON.stringify(v)}`, { field: flag });
  }
  return v;
}

function wholeNumberRule(min: number, max: number): string {
  return `a whole number from ${min} to ${max}`;
}

/**
 * A whole-number flag as typed ("1000000", "1e6", "250k", "10M") → its value,
 * or a UsageError quoting the text (never a number it was rounded to). Gen's
 * flags take gen's ranges; other flags (publish, demo) give their own minimum.
 */
export function countFlag(flag: string, text: string | number, min = 0): number {
  const [lo, hi] = flag in COUNT_RANGES ? COUNT_RANGES[flag as CountFlag] : [min, Number.MAX_SAFE_INTEGER];
  const n = parseCount(text);
  if (!Number.isSafeInteger(n) || n < lo || n > hi) {
    throw new UsageError(
      `--${flag} must be ${wholeNumberRule(lo, hi)} (e.g. 100000, 1e6, 250k, 10M), got "${String(text).trim()}"`,
      { field: flag },
    );
  }
  return n;
}

/** A date flag, judged like a transaction_date in the data (so every generated row is valid). */
function dateOption(flag: string, v: string): number {
  const day = parseTransactionDate(v);
  if (typeof day === 'string') throw new UsageError(`--${flag} ${quoteForMessage(v)} ${day}`, { field: flag });
  return day;
}

/**
 * Parse a count flag: "1000000", "1_000_000", "1e6", "250k", "10M", "1G".
 * NaN when it is not one (the caller reports which flag).
 */
export function parseCount(text: string | number): number {
  if (typeof text === 'number') return text;
  const m = /^\s*(\d[\d_]*(?:\.\d+)?(?:e\d+)?)\s*([kKmMgG]?)\s*$/.exec(text);
  if (m === null) return Number.NaN;
  const base = Number(m[1].replaceAll('_', ''));
  const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(base * mult * 1e6) / 1e6;
}
