/**
 * The sales record, defined once. Everything else — CSV header, validator,
 * Arrow/Parquet schema, DuckDB DDL, BigQuery and Terraform schema JSON, column
 * aliases — is derived from SALES_COLUMNS.
 */
import { UsageError } from '../errors.ts';

export type LogicalType = 'STRING' | 'INT64' | 'DATE' | 'NUMERIC';

export interface ColumnSpec {
  readonly name: ColumnName;
  readonly type: LogicalType;
  readonly description: string;
  /** Short names accepted wherever a column is named (flags, --by, -p, --where). */
  readonly aliases: readonly string[];
  /** NUMERIC precision/scale. */
  readonly precision?: number;
  readonly scale?: number;
  /** Categorical columns draw values from a configurable domain. */
  readonly domain?: 'categories' | 'regions';
  /** Low-cardinality string: dictionary-encode in Arrow/Parquet. */
  readonly dictionary?: boolean;
  /** Set for columns with (nearly) a value per row: never a partition column, and why. */
  readonly highCardinality?: string;
}

export const COLUMN_NAMES = [
  'transaction_id',
  'customer_id',
  'transaction_date',
  'sale_amount',
  'product_category',
  'sales_region',
] as const;

export type ColumnName = (typeof COLUMN_NAMES)[number];

export const SALES_COLUMNS: readonly ColumnSpec[] = Object.freeze([
  {
    name: 'transaction_id',
    type: 'STRING',
    description: 'Unique transaction identifier; stable for a given generator seed.',
    aliases: ['id', 'transaction', 'txn'],
    highCardinality: 'a folder per sale',
  },
  {
    name: 'customer_id',
    type: 'INT64',
    description: 'Customer identifier (positive integer).',
    aliases: ['customer'],
    highCardinality: 'a folder per customer',
  },
  {
    name: 'transaction_date',
    type: 'DATE',
    description: 'Calendar date of the sale (YYYY-MM-DD).',
    aliases: ['date'],
  },
  {
    name: 'sale_amount',
    type: 'NUMERIC',
    precision: 12,
    scale: 2,
    description: 'Sale amount in currency units, exact to the cent (NUMERIC(12,2)), greater than zero.',
    aliases: ['amount'],
    highCardinality: 'a folder per amount',
  },
  {
    name: 'product_category',
    type: 'STRING',
    description: 'Product category, from the configured category domain.',
    aliases: ['category'],
    domain: 'categories',
    dictionary: true,
  },
  {
    name: 'sales_region',
    type: 'STRING',
    description: 'Sales region, from the configured region domain.',
    aliases: ['region'],
    domain: 'regions',
    dictionary: true,
  },
] satisfies ColumnSpec[]);

export const CSV_HEADER = COLUMN_NAMES.join(',');

/**
 * The transaction_date values the record accepts, on every path (text
 * validator, byte-level fast path, SQL validation, flags): a DATE outside this
 * range is a typo or a unit mix-up (e.g. a two-digit year), never a sale.
 */
export const DATE_RANGE = Object.freeze({ min: '1900-01-01', max: '2999-12-31' });

const BY_NAME = new Map<string, ColumnSpec>();
for (const col of SALES_COLUMNS) {
  BY_NAME.set(col.name, col);
  for (const alias of col.aliases) BY_NAME.set(alias, col);
}

/** The spec for a canonical column name. */
export function columnSpec(name: ColumnName): ColumnSpec {
  return BY_NAME.get(name)!;
}

/** Canonical name for a column name or alias (case-insensitive), or undefined. */
export function lookupColumn(nameOrAlias: string): ColumnName | undefined {
  return BY_NAME.get(nameOrAlias.trim().toLowerCase())?.name;
}

/** Canonical name for a column name or alias; a UsageError listing valid names otherwise. */
export function resolveColumn(nameOrAlias: string, what = 'column'): ColumnName {
  const found = lookupColumn(nameOrAlias);
  if (found === undefined) {
    throw new UsageError(`unknown ${what} "${nameOrAlias}"; valid: ${describeColumnNames()}`, { field: nameOrAlias });
  }
  return found;
}

/** Resolve a comma-separated list ("region,category") or array of names/aliases. */
export function resolveColumns(spec: string | readonly string[], what = 'column'): ColumnName[] {
  const parts = (typeof spec === 'string' ? spec.split(',') : spec.flatMap((s) => s.split(',')))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const out: ColumnName[] = [];
  for (const p of parts) {
    const c = resolveColumn(p, what);
    if (out.includes(c)) throw new UsageError(`${what} "${p}" given twice`, { field: p });
    out.push(c);
  }
  return out;
}

/** "transaction_id (id), customer_id (customer), …" for error messages and --help. */
export function describeColumnNames(): string {
  return SALES_COLUMNS.map((c) => `${c.name} (${c.aliases.join('/')})`).join(', ');
}
