/**
 * The RecordValidator's rules as one DuckDB predicate over a CSV read as text,
 * for aggregating a CSV file directly: DuckDB's own casts are lenient (' 7' is
 * 7, '99-1-5' is 0099-01-05, '12.345' rounds to 12.35), so the fields are read
 * as VARCHAR, judged here by the validator's own patterns and limits, and cast
 * only once every row passed. A test cross-checks the verdicts with the
 * validator's on the same lines.
 */
import { ISO_DATE_PATTERN } from '../../shared/dates.ts';
import { AMOUNT_PATTERN } from '../../shared/money.ts';
import { COLUMN_NAMES, DATE_RANGE, type SalesDomains } from '../../shared/schema/index.ts';
import {
  CUSTOMER_ID_PATTERN,
  INT64_MAX,
  TRANSACTION_ID_MAX_LENGTH,
  TRANSACTION_ID_PATTERN,
} from '../../shared/schema/validate.ts';
import { duckdbIdent, duckdbString } from '../../shared/duckdb-quote.ts';

/** `columns = {...}` for read_csv: every sales column as text. */
export function textColumnsSql(): string {
  return `{${COLUMN_NAMES.map((c) => `${duckdbString(c)}: 'VARCHAR'`).join(', ')}}`;
}

/** TRUE exactly for the rows RecordValidator accepts (never NULL). */
export function textRowValidSql(domains: SalesDomains): string {
  const col = (c: (typeof COLUMN_NAMES)[number]) => duckdbIdent(c);
  const re = (c: (typeof COLUMN_NAMES)[number], pattern: string) =>
    `regexp_full_match(${col(c)}, ${duckdbString(pattern)})`;
  const oneOf = (values: readonly string[]) => values.map(duckdbString).join(', ');
  const checks = [
    `length(${col('transaction_id')}) <= ${TRANSACTION_ID_MAX_LENGTH} AND ${re('transaction_id', TRANSACTION_ID_PATTERN)}`,
    `${re('customer_id', CUSTOMER_ID_PATTERN)} AND TRY_CAST(${col('customer_id')} AS HUGEINT) BETWEEN 1 AND ${INT64_MAX}`,
    `${re('transaction_date', ISO_DATE_PATTERN)} AND TRY_CAST(${col('transaction_date')} AS DATE) BETWEEN DATE '${DATE_RANGE.min}' AND DATE '${DATE_RANGE.max}'`,
    `${re('sale_amount', AMOUNT_PATTERN)} AND CAST(${col('sale_amount')} AS DECIMAL(13, 2)) > 0`,
    `${col('product_category')} IN (${oneOf(domains.categories)})`,
    `${col('sales_region')} IN (${oneOf(domains.regions)})`,
  ];
  // A NULL (an empty field) fails its check rather than making the verdict unknown.
  return checks.map((c) => `COALESCE(${c}, false)`).join('\n  AND ');
}

/** The text columns cast to the record's types (for rows that passed textRowValidSql). */
export function typedColumnsSql(): string {
  return [
    `${duckdbIdent('transaction_id')}`,
    `CAST(${duckdbIdent('customer_id')} AS BIGINT) AS customer_id`,
    `CAST(${duckdbIdent('transaction_date')} AS DATE) AS transaction_date`,
    `CAST(${duckdbIdent('sale_amount')} AS DECIMAL(12, 2)) AS sale_amount`,
    `${duckdbIdent('product_category')}`,
    `${duckdbIdent('sales_region')}`,
  ].join(', ');
}
