/** Small, deterministic sales CSVs for tests (no dependency on the generator). */
import { writeFileSync } from 'node:fs';
import { formatCents } from '../../shared/money.ts';
import { CSV_HEADER, DEFAULT_DOMAINS } from '../../shared/schema/index.ts';
import { seededRandom } from '../../testing/seeded-random.ts';

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
