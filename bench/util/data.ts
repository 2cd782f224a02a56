/**
 * The shared benchmark datasets, created once with our own commands and reused by
 * every bench: data/bench/sales-10m.csv (`salesflow gen`, seed 42) and
 * data/bench/lake-10m (`salesflow to-parquet -p region`). Both commands write
 * atomically, so a bench that races another one either sees the finished file or
 * none; a refusal to overwrite a file that appeared meanwhile is fine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DATA, NODE, REPO_ROOT } from './measure.ts';

export const BENCH_ROWS = 10_000_000;
export const SALES_CSV = join(BENCH_DATA, 'sales-10m.csv');
export const SALES_LAKE = join(BENCH_DATA, 'lake-10m');

/** Run the real CLI, inheriting stdio; throws on a non-zero exit. */
export function salesflow(args: string[]): void {
  const res = spawnSync(NODE, ['bin/salesflow.js', ...args], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`salesflow ${args.join(' ')} failed (exit ${res.status})`);
}

function createOnce(path: string, args: string[]): string {
  if (existsSync(path)) return path;
  try {
    salesflow(args);
  } catch (err) {
    if (!existsSync(path)) throw err;
  }
  return path;
}

/** The 10M-row CSV (seed 42), made by `salesflow gen` if missing. */
export function ensureSalesCsv(): string {
  return createOnce(SALES_CSV, ['gen', '--rows', String(BENCH_ROWS), '--seed', '42', '--out', SALES_CSV]);
}

/** The 10M-row lake partitioned by region, made by `salesflow to-parquet` if missing. */
export function ensureSalesLake(): string {
  ensureSalesCsv();
  return createOnce(SALES_LAKE, ['to-parquet', SALES_CSV, '-o', SALES_LAKE, '-p', 'region']);
}
