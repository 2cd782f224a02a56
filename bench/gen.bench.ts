import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DOMAINS } from '../shared/schema/domains.ts';
import { BENCH_DATA, compare, NODE } from './util/measure.ts';
import { ensureSalesCsv } from './util/data.ts';

const ROWS = Number(process.env.BENCH_GEN_ROWS ?? 10_000_000);
const SELF = new URL(import.meta.url).pathname;
const outputOf = (name: string) => join(BENCH_DATA, `gen-out-${name}.csv`);

/** The peer: DuckDB generating the same six columns (uniform random values, like a naive generator). */
async function duckdbGenerate(out: string, rows: number): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const list = (xs: readonly string[]) => `[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ')}]`;
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(
    `COPY (SELECT printf('TX-%012X', i) AS transaction_id,
       1 + floor(random() * 100000)::BIGINT AS customer_id,
       DATE '2024-01-01' + floor(random() * 731)::INTEGER AS transaction_date,
       (100 + floor(random() * 499901))::BIGINT / 100::DECIMAL(12,2) AS sale_amount,
       ${list(DEFAULT_DOMAINS.categories)}[1 + floor(random() * ${DEFAULT_DOMAINS.categories.length})::INTEGER] AS product_category,
       ${list(DEFAULT_DOMAINS.regions)}[1 + floor(random() * ${DEFAULT_DOMAINS.regions.length})::INTEGER] AS sales_region
     FROM range(${rows}) t(i)) TO '${out}' (FORMAT csv, HEADER true)`,
  );
}

const clean = (name: string) => () => rmSync(outputOf(name), { force: true });
const sizeOf = (name: string) => () => {
  const bytes = statSync(outputOf(name)).size;
  clean(name)();
  return { outputMB: bytes / 1024 / 1024 };
};

const [mode, engine, out, rows] = process.argv.slice(2);
if (mode === '--run') {
  if (engine !== 'duckdb') throw new Error(`unknown engine ${engine}`);
  await duckdbGenerate(out, Number(rows));
} else {
  ensureSalesCsv();
  const label = ROWS === 10_000_000 ? '10m' : String(ROWS);
  await compare(`gen-${label}`, [
    {
      name: 'duckdb',
      cmd: NODE,
      args: [SELF, '--run', 'duckdb', outputOf('duckdb'), String(ROWS)],
      before: clean('duckdb'),
      after: sizeOf('duckdb'),
    },
    {
      name: 'salesflow gen',
      cmd: NODE,
      args: ['bin/salesflow.js', 'gen', '--rows', String(ROWS), '--out', outputOf('salesflow'), '--force'],
      before: clean('salesflow'),
      after: sizeOf('salesflow'),
    },
  ]);
}
