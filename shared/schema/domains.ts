/**
 * The value domains of the two categorical columns. Configurable (a JSON file
 * `{ "categories": [...], "regions": [...] }` via --domains or SALESFLOW_DOMAINS),
 * with defaults that the generator, the validator and the warehouse share.
 *
 * Domains are checked here, once, for everyone who takes them (gen, the
 * readers, the pipelines): a value must survive every path a record takes — a
 * CSV line, an NDJSON string, a hive folder name, a SQL literal — and read back
 * as itself, so values that some reader would trim, split, fold or refuse are
 * refused up front instead.
 */
import { readFileSync } from 'node:fs';
import { repeatedKey } from '../json-repeated-key.ts';
import { InputError, UsageError } from '../errors.ts';
import { quoteForMessage } from '../format.ts';

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

/** Values per domain: the generator's and parser's tables index them with 16 bits. */
export const MAX_DOMAIN_VALUES = 65_535;
/** Characters per value (a category or region name, not a description). */
export const MAX_DOMAIN_VALUE_LENGTH = 100;
/** Hive's name for a NULL partition: a value spelled like it would read back as empty. */
const HIVE_NULL_NAME = '__HIVE_DEFAULT_PARTITION__';
const DOMAIN_KEYS = ['categories', 'regions'] as const;
/** C0 and C1 control characters (line breaks, tabs, NUL …), built from code points to keep the source plain. */
const CONTROL_CHARACTER = new RegExp(
  `[${String.fromCharCode(0)}-${String.fromCharCode(0x1f)}${String.fromCharCode(0x7f)}-${String.fromCharCode(0x9f)}]`,
);
/** Invisible formatting characters (zero-width spaces and joiners, bidi overrides, BOM): a value would look like another. */
const FORMAT_CHARACTER = /\p{Cf}/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `v` cannot be a domain value, or null. */
export function domainValueProblem(v: unknown): string | null {
  if (typeof v !== 'string') return `is ${v === null ? 'null' : typeof v}, not a string`;
  if (v.length === 0) return 'is empty';
  if (v.length > MAX_DOMAIN_VALUE_LENGTH) return `is longer than ${MAX_DOMAIN_VALUE_LENGTH} characters`;
  // Line breaks split a record; tabs and other controls do not survive every reader and terminal.
  if (CONTROL_CHARACTER.test(v)) return 'contains a line break or another control character';
  if (v.trim() !== v) return 'has leading or trailing spaces';
  if (LONE_SURROGATE.test(v)) return 'is not valid Unicode (a lone surrogate)';
  const invisible = FORMAT_CHARACTER.exec(v);
  if (invisible !== null) {
    const code = invisible[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return `contains an invisible formatting character (U+${code})`;
  }
  if (v === HIVE_NULL_NAME) return `is Hive's name for an empty partition`;
  return null;
}

/**
 * Check a domains object (from a file, an environment variable or a library
 * caller); a UsageError naming `source`, the key, the value and the problem.
 */
export function checkDomains(domains: SalesDomains, source = 'domains'): SalesDomains {
  for (const key of DOMAIN_KEYS) {
    const values = domains[key] as unknown;
    if (!Array.isArray(values) || values.length === 0) {
      throw new UsageError(`${source}: "${key}" must be a non-empty array of strings`, { file: source, field: key });
    }
    if (values.length > MAX_DOMAIN_VALUES) {
      throw new UsageError(`${source}: "${key}" has ${values.length} values; at most ${MAX_DOMAIN_VALUES}`, {
        file: source,
        field: key,
      });
    }
    // Case-folded: `North` and `north` would share one partition folder on case-insensitive file systems;
    // NFKC-folded: `Ｎｏｒｔｈ` (full-width) is `North` to a reader, and to a person.
    const seen = new Map<string, string>();
    values.forEach((v: unknown, i: number) => {
      const problem = domainValueProblem(v);
      const shown = typeof v === 'string' ? quoteForMessage(v) : String(v);
      if (problem !== null) {
        throw new UsageError(`${source}: ${key}[${i}] ${shown} ${problem}`, { file: source, field: key });
      }
      const folded = (v as string).normalize('NFKC').toLowerCase();
      const first = seen.get(folded);
      if (first !== undefined) {
        throw new UsageError(
          `${source}: ${key}[${i}] ${shown} repeats ${quoteForMessage(first)}${first === v ? '' : first.toLowerCase() === (v as string).toLowerCase() ? ' (values may differ only in case)' : ' (values may not differ only in Unicode compatibility forms such as full-width letters)'}`,
          { file: source, field: key },
        );
      }
      seen.set(folded, v as string);
    });
  }
  return domains;
}

/** Load domains from a JSON file (else SALESFLOW_DOMAINS, else the defaults); missing keys fall back to the defaults. */
export function loadDomains(path?: string): SalesDomains {
  const file = path ?? process.env.SALESFLOW_DOMAINS;
  if (!file) return DEFAULT_DOMAINS;
  let parsed: unknown;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InputError(`cannot read domains file: ${(err as Error).message}`, { file }, err);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`${file}: a domains file is a JSON object {"categories": [...], "regions": [...]}`, { file });
  }
  const repeated = repeatedKey(text);
  if (repeated !== undefined) {
    throw new UsageError(`${file}: key ${quoteForMessage(repeated)} appears twice (which list was meant?)`, { file });
  }
  const obj = parsed as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !(DOMAIN_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new UsageError(
      `${file}: unknown key ${quoteForMessage(unknown[0])}; expected "categories" and/or "regions"`,
      {
        file,
      },
    );
  }
  const pick = (key: keyof SalesDomains) => (obj[key] === undefined ? DEFAULT_DOMAINS[key] : obj[key]);
  const domains = { categories: pick('categories'), regions: pick('regions') } as SalesDomains;
  checkDomains(domains, path === undefined ? `SALESFLOW_DOMAINS=${file}` : file);
  return Object.freeze({
    categories: Object.freeze([...domains.categories]),
    regions: Object.freeze([...domains.regions]),
  });
}
