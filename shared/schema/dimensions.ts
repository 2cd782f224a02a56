/**
 * The dimension records, defined once like the sales record: customers
 * (`customers.csv`, one row per customer_id, with the home region the facts use)
 * and products (`products.csv`). The generator's headers, the validator the
 * dimension pipeline runs, and the warehouse tables are all derived from these.
 */
import { DEFAULT_DOMAINS, type SalesDomains } from './domains.ts';
import { checkTransactionId, type FieldError, parseCustomerId, parseSaleAmount } from './validate.ts';
import type { BigQueryField } from './bigquery.ts';

export type DimensionName = 'customers' | 'products';

export interface DimensionColumn {
  readonly name: string;
  readonly type: 'STRING' | 'INT64' | 'NUMERIC';
  readonly description: string;
  /** Empty values are refused (else they load as NULL). */
  readonly required: boolean;
  /** Reason the text is not valid for this column, or null. Runs on non-empty values only. */
  readonly check: (value: string, domains: SalesDomains) => string | null;
}

export interface DimensionSchema {
  readonly name: DimensionName;
  /** The warehouse table it loads into. */
  readonly table: string;
  /** The column identifying a row: later rows with the same key replace earlier loads' rows. */
  readonly key: string;
  readonly columns: readonly DimensionColumn[];
  /** CSV header, columns in order. */
  readonly header: string;
}

/** Longest text accepted in a dimension column (names, e-mails, cities). */
export const DIMENSION_TEXT_MAX_LENGTH = 256;

const text = (value: string): string | null => {
  if (value.length > DIMENSION_TEXT_MAX_LENGTH) return `is longer than ${DIMENSION_TEXT_MAX_LENGTH} characters`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'has control characters';
  return null;
};

const reasonOf = (parsed: number | bigint | string): string | null => (typeof parsed === 'string' ? parsed : null);

const oneOf = (value: string, domain: readonly string[]): string | null =>
  domain.includes(value) ? null : `is not one of: ${domain.join(', ')}`;

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function schema(name: DimensionName, table: string, key: string, columns: DimensionColumn[]): DimensionSchema {
  return Object.freeze({
    name,
    table,
    key,
    columns: Object.freeze(columns),
    header: columns.map((c) => c.name).join(','),
  });
}

export const CUSTOMERS_SCHEMA: DimensionSchema = schema('customers', 'dim_customers', 'customer_id', [
  {
    name: 'customer_id',
    type: 'INT64',
    description: 'Customer identifier, as in the sales facts.',
    required: true,
    check: (v) => reasonOf(parseCustomerId(v)),
  },
  { name: 'name', type: 'STRING', description: 'Customer name.', required: true, check: text },
  {
    name: 'email',
    type: 'STRING',
    description: 'Contact e-mail address.',
    required: false,
    check: (v) => text(v) ?? (EMAIL_RE.test(v) ? null : 'is not an e-mail address (name@domain.tld)'),
  },
  { name: 'city', type: 'STRING', description: 'Home city.', required: false, check: text },
  {
    name: 'region',
    type: 'STRING',
    description: 'Home sales region, from the region domain.',
    required: true,
    check: (v, d) => oneOf(v, d.regions),
  },
]);

export const PRODUCTS_SCHEMA: DimensionSchema = schema('products', 'dim_products', 'product_id', [
  {
    name: 'product_id',
    type: 'STRING',
    description: 'Product identifier (letters, digits, _ . : -).',
    required: true,
    check: checkTransactionId,
  },
  { name: 'product_name', type: 'STRING', description: 'Product name.', required: true, check: text },
  {
    name: 'product_category',
    type: 'STRING',
    description: 'Product category, from the category domain.',
    required: true,
    check: (v, d) => oneOf(v, d.categories),
  },
  {
    name: 'list_price',
    type: 'NUMERIC',
    description: 'List price, exact to the cent (NUMERIC(12,2)), greater than zero.',
    required: true,
    check: (v) => reasonOf(parseSaleAmount(v)),
  },
]);

export const DIMENSION_SCHEMAS: readonly DimensionSchema[] = [CUSTOMERS_SCHEMA, PRODUCTS_SCHEMA];

/** The schema's columns as BigQuery fields (the key REQUIRED, the rest NULLABLE). */
export function dimensionBigQueryFields(s: DimensionSchema): BigQueryField[] {
  return s.columns.map((c) => ({
    name: c.name,
    type: c.type,
    mode: c.name === s.key ? 'REQUIRED' : 'NULLABLE',
    description: c.description,
    ...(c.type === 'NUMERIC' ? { precision: '12', scale: '2' } : {}),
  }));
}

export type DimensionRowResult = { ok: true; values: (string | null)[] } | { ok: false; errors: FieldError<string>[] };

/**
 * Validate one row's fields (in header order). Values come back as text with
 * empty optional fields as null, ready for a staging CSV; errors name each
 * failing column like the sales validator's.
 */
export function validateDimensionFields(
  s: DimensionSchema,
  fields: readonly string[],
  domains: SalesDomains = DEFAULT_DOMAINS,
): DimensionRowResult {
  if (fields.length !== s.columns.length) {
    return {
      ok: false,
      errors: [
        {
          field: '_row',
          value: fields.join(','),
          reason: `has ${fields.length} field${fields.length === 1 ? '' : 's'}, expected ${s.columns.length}`,
        },
      ],
    };
  }
  const errors: FieldError<string>[] = [];
  const values = s.columns.map((c, i) => {
    const v = fields[i];
    if (v.length === 0) {
      if (c.required) errors.push({ field: c.name, value: v, reason: 'is empty' });
      return null;
    }
    const reason = c.check(v, domains);
    if (reason !== null) errors.push({ field: c.name, value: v, reason });
    return v;
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, values };
}
