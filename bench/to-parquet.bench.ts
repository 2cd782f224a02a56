import { readdirSync, rmSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BENCH_DATA, compare, NODE } from './util/measure.ts';
import { ensureSalesCsv, SALES_CSV } from './util/data.ts';

const CSV = SALES_CSV;
const OUT = join(BENCH_DATA, 'to-parquet-out');
const SELF = new URL(import.meta.url).pathname;

async function duckdbConvert(input: string, out: string): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const { duckdbReadCsvColumns } = await import('../shared/schema/index.ts');
  await c.run(
    `COPY (FROM read_csv('${input}', header=true, columns=${duckdbReadCsvColumns()})) TO '${out}' ` +
      '(FORMAT parquet, PARTITION_BY (sales_region), COMPRESSION zstd)',
  );
}

async function polarsConvert(input: string, out: string): Promise<void> {
  const pl = (await import('nodejs-polars')).default;
  const df = pl.readCSV(input, { tryParseDates: true });
  await mkdir(out, { recursive: true });
  for (const part of df.partitionBy('sales_region', false, true)) {
    const region = part.getColumn('sales_region').get(0) as string;
    const dir = join(out, `sales_region=${region}`);
    await mkdir(dir, { recursive: true });
    part.drop('sales_region').writeParquet(join(dir, 'part-0.parquet'), { compression: 'zstd' });
  }
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) n += statSync(join(e.parentPath, e.name)).size;
  }
  return n;
}

const outputOf = (name: string) => `${OUT}-${name}`;
const clean = (name: string) => () => rmSync(outputOf(name), { recursive: true, force: true });
const bytesOf = (name: string) => () => {
  const bytes = dirBytes(outputOf(name));
  clean(name)();
  return { outputMB: bytes / 1024 / 1024 };
};

const [mode, engine, input, out] = process.argv.slice(2);
if (mode === '--prepare') {
  ensureSalesCsv();
} else if (mode === '--run') {
  if (engine === 'duckdb') await duckdbConvert(input, out);
  else if (engine === 'polars') await polarsConvert(input, out);
  else throw new Error(`unknown engine ${engine}`);
} else {
  ensureSalesCsv();
  const peer = (name: string) => ({
    name,
    cmd: NODE,
    args: [SELF, '--run', name, CSV, outputOf(name)],
    before: clean(name),
    after: bytesOf(name),
  });
  await compare('to-parquet-10m', [
    peer('duckdb'),
    {
      name: 'salesflow',
      cmd: NODE,
      args: ['bin/salesflow.js', 'to-parquet', CSV, '-o', outputOf('salesflow'), '-p', 'region', '-q'],
      before: clean('salesflow'),
      after: bytesOf('salesflow'),
    },
    peer('polars'),
  ]);
}
