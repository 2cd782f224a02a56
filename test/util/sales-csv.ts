/** Small, deterministic sales CSVs for tests (no dependency on the generator). */
import { writeFileSync } from 'node:fs';
import { formatCents } from '../../shared/money.ts';
import { CSV_HEADER, DEFAULT_DOMAINS } from '../../shared/schema/index.ts';
import { seededRandom } from './seeded-random.ts';

export interface SampleRow {
  id: string;
  customer: number;
  date: string;
  cents: number;
  category: string;
  region: string;
}

/** `n` valid rows from the seeded random helper: every category/region appears, amounts vary in cents. */
export function sampleRows(n: number, seed = 1): SampleRow[] {
  const random = seededRandom(seed);
  const next = () => Math.floor(random() * 2 ** 32);
  const rows: SampleRow[] = [];
  for (let i = 0; i < n; i++) {
    const day = 1 + (next() % 28);
    const month = 1 + (next() % 12);
    rows.push({
      id: `TX-${seed}-${String(i).padStart(8, '0')}`,
      customer: 1 + (next() % 100_000),
      date: `2024-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      cents: 1 + (next() % 5_000_000),
      category: DEFAULT_DOMAINS.categories[next() % DEFAULT_DOMAINS.categories.length],
      region: DEFAULT_DOMAINS.regions[next() % DEFAULT_DOMAINS.regions.length],
    });
  }
  return rows;
}

/** The row as a JSON object with the schema's column names (NDJSON lines, insertAll rows). */
export function salesJson(r: SampleRow): Record<string, unknown> {
  return {
    transaction_id: r.id,
    customer_id: r.customer,
    transaction_date: r.date,
    sale_amount: formatCents(r.cents),
    product_category: r.category,
    sales_region: r.region,
  };
}

export function rowLine(r: SampleRow): string {
  return [r.id, r.customer, r.date, formatCents(r.cents), r.category, r.region].join(',');
}

/** CSV text with the schema header; `extraLines` are appended raw (for bad-input cases). */
export function salesCsvText(rows: readonly SampleRow[], extraLines: readonly string[] = []): string {
  return `${[CSV_HEADER, ...rows.map(rowLine), ...extraLines].join('\n')}\n`;
}

export function writeSalesCsv(path: string, rows: readonly SampleRow[], extraLines: readonly string[] = []): void {
  writeFileSync(path, salesCsvText(rows, extraLines));
}

/** Lines that poke at every rule of the validator, one mutation at a time. */
export function mutatedLines(): string[] {
  const base = ['TX-1', '42', '2024-02-29', '12.34', 'Books', 'North'];
  const variants: Record<number, string[]> = {
    0: ['', 'A', '_x', 'a.b:c-d_e', 'x'.repeat(64), 'x'.repeat(65), 'tx 1', 'tx/1', 'é1', '-1'],
    1: ['', '0', '1', '007', '-1', '1.0', '1e3', '999999999999999', '9007199254740991', '9007199254740992', ' 1'],
    2: [
      '',
      '2024-02-30',
      '2023-02-29',
      '1900-02-29',
      '2000-02-29',
      '1899-12-31',
      '1900-01-01',
      '2999-12-31',
      '3000-01-01',
      '2024-1-01',
      '2024-13-01',
      '2024-00-10',
      '2024-01-00',
      '20240101',
      '2024-01-01T00:00',
      '0099-12-31',
      '0001-01-01',
      '0000-02-29',
      '9999-12-31',
    ],
    3: [
      '',
      '0',
      '0.00',
      '0.01',
      '1',
      '1.5',
      '1.50',
      '1.505',
      '-1.00',
      '.5',
      '5.',
      '9999999999.99',
      '10000000000',
      '1,000',
      '1e2',
      ' 1.00',
    ],
    4: ['', 'books', 'Home & Garden', 'Nope', 'Books '],
    // (A trailing \r is a CRLF line ending, not part of the value: covered below.)
    5: ['', 'north', 'Central', 'Mars', 'No\rrth', ' North'],
  };
  const out: string[] = [];
  for (const [col, values] of Object.entries(variants)) {
    for (const v of values) {
      const f = [...base];
      f[Number(col)] = v;
      out.push(f.join(','));
    }
  }
  out.push('TX-1,42,2024-01-01,1.00,Books', 'TX-1,42,2024-01-01,1.00,Books,North,extra', 'just-one-field');
  return out;
}
