/**
 * The value domains of the two categorical columns. Configurable (a JSON file
 * `{ "categories": [...], "regions": [...] }` via --domains or SALESFLOW_DOMAINS),
 * with defaults that the generator, the validator and the warehouse share.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.ts';

export interface SalesDomains {
  readonly categories: readonly string[];
  readonly regions: readonly string[];
}

export const DEFAULT_DOMAINS: SalesDomains = Object.freeze({
  categories: Object.freeze([
    'Electronics',
    'Clothing',
    'Home & Garden',
    'Sports',
    'Books',
    'Toys',
    'Beauty',
    'Grocery',
    'Automotive',
    'Health',
  ]),
  regions: Object.freeze(['North', 'South', 'East', 'West', 'Central']),
});

/** Load domains from a JSON file; missing keys fall back to the defaults. */
export function loadDomains(path?: string): SalesDomains {
  const file = path ?? process.env.SALESFLOW_DOMAINS;
  if (!file) return DEFAULT_DOMAINS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`cannot read domains file: ${(err as Error).message}`, { file }, err);
  }
  const obj = parsed as Partial<Record<keyof SalesDomains, unknown>>;
  const pick = (key: keyof SalesDomains): readonly string[] => {
    const v = obj[key];
    if (v === undefined) return DEFAULT_DOMAINS[key];
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x.length > 0)) {
      throw new InputError(`"${key}" must be a non-empty array of non-empty strings`, { file, field: key });
    }
    if (new Set(v).size !== v.length) throw new InputError(`"${key}" has duplicate values`, { file, field: key });
    return Object.freeze([...v]);
  };
  return Object.freeze({ categories: pick('categories'), regions: pick('regions') });
}
