/**
 * to-parquet on the 10M-row CSV: ours vs DuckDB COPY … PARTITION_BY vs
 * nodejs-polars, whole processes, alternated (bench/util/measure.ts).
 *
 *   npm run bench -- to-parquet          (BENCH_RUNS=3 by default)
 *
 * The peers run as this same file with `--run duckdb|polars IN OUT`, so each is
 * its own process with its own peak RSS. If data/bench/sales-10m.csv is missing
 * it is created once (with `salesflow gen` when that command exists, else with
 * DuckDB in the same format) and written atomically, because other benches share it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BENCH_DATA, compare, NODE, REPO_ROOT } from './util/measure.ts';

const CSV = join(BENCH_DATA, 'sales-10m.csv');
const ROWS = 10_000_000;
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

/** Create the shared 10M-row CSV once, atomically (temp name + rename). */
async function ensureCsv(): Promise<void> {
  if (existsSync(CSV)) return;
  await mkdir(BENCH_DATA, { recursive: true });
  const tmp = `${CSV}.tmp-${process.pid}`;
  // `gen --help` exits 0 even before gen exists (it prints the global help), so check whose help it is.
  const viaGen = spawnSync(NODE, ['bin/salesflow.js', 'gen', '--help'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  }).stdout.startsWith('salesflow gen');
  if (viaGen) {
    const res = spawnSync(NODE, ['bin/salesflow.js', 'gen', '--rows', String(ROWS), '--out', tmp], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    });
    if (res.status !== 0) throw new Error('salesflow gen failed');
  } else {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const { DEFAULT_DOMAINS } = await import('../shared/schema/index.ts');
    const list = (xs: readonly string[]) => `[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ')}]`;
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(
      `COPY (SELECT printf('TX-%012x', (i * 2654435761) % 281474976710656) AS transaction_id,
        1 + (hash(i) % 500000)::BIGINT AS customer_id,
        DATE '2023-01-01' + (hash(i + 1) % 730)::INTEGER AS transaction_date,
        ((1 + hash(i + 2) % 2000000) / 100)::DECIMAL(12,2) AS sale_amount,
        ${list(DEFAULT_DOMAINS.categories)}[1 + (hash(i + 3) % ${DEFAULT_DOMAINS.categories.length})::INTEGER] AS product_category,
        ${list(DEFAULT_DOMAINS.regions)}[1 + (hash(i + 4) % ${DEFAULT_DOMAINS.regions.length})::INTEGER] AS sales_region
       FROM range(${ROWS}) t(i)) TO '${tmp}' (FORMAT csv, HEADER true)`,
    );
  }
  renameSync(tmp, CSV);
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
  await ensureCsv();
} else if (mode === '--run') {
  if (engine === 'duckdb') await duckdbConvert(input, out);
  else if (engine === 'polars') await polarsConvert(input, out);
  else throw new Error(`unknown engine ${engine}`);
} else {
  await ensureCsv();
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
