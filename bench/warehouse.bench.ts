import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempSiblingPath } from '../shared/atomic.ts';
import { BENCH_DATA, compare, NODE } from './util/measure.ts';
import { ensureSalesCsv, SALES_CSV } from './util/data.ts';

const CSV = SALES_CSV;
const WAREHOUSE = join(BENCH_DATA, 'warehouse-10m.duckdb');
const SCRATCH = join(BENCH_DATA, 'warehouse-load-scratch.duckdb');
const SELF = new URL(import.meta.url).pathname;

async function loadWithSalesflow(path: string, csv: string): Promise<string> {
  const { DuckDBWarehouse } = await import('../warehouse/duckdb-warehouse.ts');
  const { stagingFields } = await import('../warehouse/tables.ts');
  const { mergeIntoSilverSql } = await import('../warehouse/merge.ts');
  const w = await DuckDBWarehouse.open(path);
  try {
    await w.ensure();
    await w.createTable('staging_sales', stagingFields(), { replace: true });
    const loaded = await w.load(csv, 'staging_sales', { format: 'CSV' });
    const merged = await w.run(mergeIntoSilverSql(w.sql, (n) => w.ref(n), 'staging_sales'));
    await w.dropTable('staging_sales');
    return `loaded ${loaded.rows}, merged ${merged.affectedRows}`;
  } finally {
    await w.close();
  }
}

async function loadRaw(path: string, csv: string): Promise<string> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(path);
  const c = await db.connect();
  const r = await c.run(`CREATE TABLE silver_sales AS SELECT * FROM read_csv('${csv}', header = true)`);
  return `loaded ${r.rowsChanged}`;
}

async function queryRaw(path: string): Promise<string> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const c = await db.connect();
  const r = await c.runAndReadAll(
    'SELECT product_category, COUNT(*) AS transactions, SUM(sale_amount) AS total_sales, ROUND(AVG(sale_amount), 2) AS average_sale FROM silver_sales GROUP BY 1 ORDER BY total_sales DESC',
  );
  return JSON.stringify(r.getRowsJson());
}

async function queryLibrary(path: string): Promise<string> {
  const { DuckDBWarehouse } = await import('../warehouse/duckdb-warehouse.ts');
  const { findExample } = await import('../warehouse/examples.ts');
  const w = await DuckDBWarehouse.open(path);
  try {
    const ex = findExample('top_categories');
    return JSON.stringify((await w.query(ex.sql, { params: ex.params })).rows);
  } finally {
    await w.close();
  }
}

/** The shared CSV (gen writes atomically) and the query suite's warehouse file. */
async function ensureData(): Promise<void> {
  ensureSalesCsv();
  if (!existsSync(WAREHOUSE)) {
    const tmp = tempSiblingPath(WAREHOUSE);
    try {
      process.stderr.write(`building ${WAREHOUSE} (once)…\n`);
      process.stderr.write(`${await loadWithSalesflow(tmp, CSV)}\n`);
      renameSync(tmp, WAREHOUSE);
    } finally {
      rmSync(tmp, { force: true });
      rmSync(`${tmp}.wal`, { force: true });
    }
  }
}

const fresh = () => {
  rmSync(SCRATCH, { force: true });
  rmSync(`${SCRATCH}.wal`, { force: true });
};

const cleanUp = (): undefined => {
  fresh();
};

if (process.argv[2] === '--run') {
  const [name, a, b] = process.argv.slice(3);
  const out =
    name === 'load-raw-duckdb'
      ? await loadRaw(a, b)
      : name === 'load-salesflow'
        ? await loadWithSalesflow(a, b)
        : name === 'query-raw-duckdb'
          ? await queryRaw(a)
          : await queryLibrary(a);
  process.stdout.write(`${out}\n`);
} else {
  await ensureData();
  const self = (name: string, ...args: string[]) => ({ name, cmd: NODE, args: [SELF, '--run', name, ...args] });
  // `--suite query` or `--suite load` runs one of the two (the load suite takes minutes).
  const suite = process.argv[2] === '--suite' ? process.argv[3] : undefined;
  if (suite !== 'query')
    await compare('warehouse-load-10m', [
      { ...self('load-raw-duckdb', SCRATCH, CSV), before: fresh, after: cleanUp },
      { ...self('load-salesflow', SCRATCH, CSV), before: fresh, after: cleanUp },
    ]);
  if (suite !== 'load')
    await compare('warehouse-query-10m', [
      self('query-raw-duckdb', WAREHOUSE),
      self('query-library', WAREHOUSE),
      {
        name: 'salesflow query',
        cmd: NODE,
        args: [
          'bin/salesflow.js',
          'query',
          '--example',
          'top_categories',
          '--warehouse',
          `duckdb:${WAREHOUSE}`,
          '--no-ensure',
          '-f',
          'csv',
        ],
      },
    ]);
}
