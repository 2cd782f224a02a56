/**
 * Row validation pushed down into the warehouse, for files staged as typed
 * columns (Parquet): the schema validator's rules as SQL predicates, one per
 * field, each NULL-safe so "valid" is never unknown. The reasons read like the
 * in-process validator's (`field: reason; …`). Both dialects share this text;
 * the pieces that differ — string literals (any domain value goes in whole:
 * quotes, commas, accents) and the regex test of the transaction_id character
 * set on the schema's own pattern — come from the warehouse (WarehouseSql).
 * Text files (CSV/NDJSON) are validated in-process by the full validator before
 * staging.
 */
import {
  COLUMN_NAMES,
  type ColumnName,
  DATE_RANGE,
  DEFAULT_DOMAINS,
  type SalesDomains,
} from '../../shared/schema/index.ts';
import { TRANSACTION_ID_MAX_LENGTH, TRANSACTION_ID_PATTERN } from '../../shared/schema/index.ts';
import type { Params, WarehouseSql } from '../../warehouse/warehouse.ts';

interface Check {
  field: ColumnName;
  /** True when the value is invalid (never NULL). */
  fails: string;
  reason: string;
}

function checks(sql: WarehouseSql, domains: SalesDomains): Check[] {
  const oneOf = (values: readonly string[]) => values.map((v) => sql.string(v)).join(', ');
  // The pattern has no quotes or backslashes, so it is the same literal in both dialects.
  const idChars = sql.regexpContains('transaction_id', `'${TRANSACTION_ID_PATTERN}'`);
  return [
    {
      field: 'transaction_id',
      fails: `(transaction_id IS NULL OR LENGTH(transaction_id) = 0 OR LENGTH(transaction_id) > ${TRANSACTION_ID_MAX_LENGTH} OR NOT ${idChars})`,
      reason: `is missing, empty, longer than ${TRANSACTION_ID_MAX_LENGTH} characters, or has characters other than letters, digits, _ . : -`,
    },
    { field: 'customer_id', fails: '(customer_id IS NULL OR customer_id <= 0)', reason: 'is missing or not positive' },
    {
      field: 'transaction_date',
      fails: `(transaction_date IS NULL OR transaction_date < DATE '${DATE_RANGE.min}' OR transaction_date > DATE '${DATE_RANGE.max}')`,
      reason: `is missing or outside ${DATE_RANGE.min}..${DATE_RANGE.max}`,
    },
    {
      field: 'sale_amount',
      fails: '(sale_amount IS NULL OR sale_amount <= 0)',
      reason: 'is missing or not greater than 0',
    },
    {
      field: 'product_category',
      fails: `(product_category IS NULL OR product_category NOT IN (${oneOf(domains.categories)}))`,
      reason: `is missing or not one of: ${domains.categories.join(', ')}`,
    },
    {
      field: 'sales_region',
      fails: `(sales_region IS NULL OR sales_region NOT IN (${oneOf(domains.regions)}))`,
      reason: `is missing or not one of: ${domains.regions.join(', ')}`,
    },
  ];
}

/** TRUE for rows every check accepts. */
export function validPredicate(sql: WarehouseSql, domains: SalesDomains = DEFAULT_DOMAINS): string {
  return `NOT (${checks(sql, domains)
    .map((c) => c.fails)
    .join(' OR ')})`;
}

/** `field: reason; …` for the checks a row fails ('' for a valid row). */
export function reasonsExpression(sql: WarehouseSql, domains: SalesDomains = DEFAULT_DOMAINS): string {
  const parts = checks(sql, domains).map(
    (c) => `CASE WHEN ${c.fails} THEN ${sql.string(`${c.field}: ${c.reason}; `)} ELSE '' END`,
  );
  return `RTRIM(CONCAT(${parts.join(', ')}), '; ')`;
}

/** The row as a CSV-like line for quarantine's raw_row (empty for NULLs). */
export function rawRowExpression(): string {
  const cols = COLUMN_NAMES.map((c) => `COALESCE(CAST(${c} AS STRING), '')`);
  return `CONCAT(${cols.join(", ',', ")})`;
}

/**
 * SELECT over a staging table with partition values filled in (hive folders
 * carry columns the files lack), as a subquery usable in FROM. The values are
 * bound parameters `@<prefix>part_<column>` (a prefix per file when several
 * files share one statement).
 */
export function filledStaging(
  stagingRef: string,
  partitionValues: Partial<Record<ColumnName, string>>,
  prefix: string,
): { sql: string; params: Params } {
  const params: Record<string, Params[string]> = {};
  const cols = COLUMN_NAMES.map((c) => {
    const v = partitionValues[c];
    if (v === undefined) return c;
    const name = `${prefix}part_${c}`;
    params[name] = v;
    const value =
      c === 'transaction_date'
        ? `CAST(@${name} AS DATE)`
        : c === 'customer_id'
          ? `CAST(@${name} AS INT64)`
          : `@${name}`;
    return `COALESCE(${c}, ${value}) AS ${c}`;
  });
  return { sql: `(SELECT ${cols.join(', ')}, _line, _seq FROM ${stagingRef})`, params };
}
