/**
 * Small seeded sales datasets for aggregate tests: rows generated in memory
 * (so tests can compute expected totals independently), written as CSV and as
 * a hive-partitioned Parquet lake by DuckDB (same layout and types as
 * to-parquet: DECIMAL(12,2) amounts, DATE dates, partition column in the path).
 */
import { writeFileSync } from 'node:fs';
import { withMemoryDuckDB } from './duckdb.ts';
import { formatEpochDay, parseIsoDate } from '../../shared/dates.ts';
import { csvField } from '../../shared/format.ts';
import { formatCents } from '../../shared/money.ts';
import { CSV_HEADER, DEFAULT_DOMAINS, duckdbReadCsvColumns, type SalesRecord } from '../../shared/schema/index.ts';
import { seededRandom as rng } from './seeded-random.ts';

export function generateSales(rows: number, seed = 1): SalesRecord[] {
  const r = rng(seed);
  const start = parseIsoDate('2024-01-01');
  const { categories, regions } = DEFAULT_DOMAINS;
  const out: SalesRecord[] = [];
  for (let i = 0; i < rows; i++) {
    // Amounts up to 5000.00 with many odd cents, so averages need real rounding.
    const cents = 1 + Math.floor(r() * 500_000);
    out.push({
      transaction_id: `T${seed}-${String(i).padStart(7, '0')}`,
      customer_id: 1 + Math.floor(r() * 500),
      transaction_date: formatEpochDay(start + Math.floor(r() * 730)),
      sale_amount: cents,
      product_category: categories[Math.floor(r() * categories.length)],
      sales_region: regions[Math.floor(r() * regions.length)],
    });
  }
  return out;
}

export function salesCsv(records: readonly SalesRecord[]): string {
  const lines = records.map((s) =>
    [
      s.transaction_id,
      s.customer_id,
      s.transaction_date,
      formatCents(s.sale_amount),
      csvField(s.product_category),
      s.sales_region,
    ].join(','),
  );
  return `${CSV_HEADER}\n${lines.join('\n')}\n`;
}

/**
 * Write `records` as CSV at csvPath and as a Parquet lake at lakeDir, partitioned
 * by `partitionBy` (default sales_region). `rowGroupSize` small forces several
 * row groups per file, as a real lake has.
 */
export async function writeSalesLake(
  records: readonly SalesRecord[],
  csvPath: string,
  lakeDir: string,
  opts: { partitionBy?: string[]; rowGroupSize?: number } = {},
): Promise<void> {
  writeFileSync(csvPath, salesCsv(records));
  const partition = opts.partitionBy ?? ['sales_region'];
  const parts = partition.length > 0 ? `, PARTITION_BY (${partition.join(', ')})` : '';
  await withMemoryDuckDB((conn) =>
    conn.run(
      `COPY (SELECT * FROM read_csv('${csvPath}', header = true, auto_detect = false, columns = ${duckdbReadCsvColumns()}))
       TO '${lakeDir}' (FORMAT parquet${parts}, ROW_GROUP_SIZE ${opts.rowGroupSize ?? 2048})`,
    ),
  );
}
