import { compare, NODE } from './util/measure.ts';
import { ensureSalesLake, SALES_LAKE } from './util/data.ts';

const LAKE = SALES_LAKE;
const SELF = new URL(import.meta.url).pathname;

/** The two reports as plain DuckDB SQL: what an analyst would type. */
async function rawDuckdb(lake: string): Promise<string> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const src = `read_parquet('${lake}/**/*.parquet', hive_partitioning = true)`;
  const a = await c.runAndReadAll(
    `SELECT product_category, SUM(sale_amount) AS total FROM ${src} GROUP BY 1 ORDER BY total DESC`,
  );
  const b = await c.runAndReadAll(
    `SELECT sales_region, ROUND(AVG(sale_amount), 2) AS avg FROM ${src} GROUP BY 1 ORDER BY 1`,
  );
  return JSON.stringify([a.getRowsJS(), b.getRowsJS()], (_k, v) => (typeof v === 'bigint' ? String(v) : v));
}

async function polars(lake: string): Promise<string> {
  const pl = (await import('nodejs-polars')).default;
  const lf = pl.scanParquet(`${lake}/**/*.parquet`, { hivePartitioning: true } as never);
  const a = lf
    .groupBy('product_category')
    .agg(pl.col('sale_amount').sum().alias('total'))
    .sort('total', true)
    .collectSync();
  const b = lf
    .groupBy('sales_region')
    .agg(pl.col('sale_amount').mean().alias('avg'))
    .sort('sales_region')
    .collectSync();
  return `${a.toString()}\n${b.toString()}`;
}

async function library(engine: 'duckdb' | 'arrow', lake: string): Promise<string> {
  const { aggregate } = await import('../aggregate/run.ts');
  const { buildQueries } = await import('../aggregate/query.ts');
  const { renderReports } = await import('../aggregate/output.ts');
  const out = await aggregate({ source: lake, engine, queries: buildQueries({}) });
  return renderReports(out.reports, 'table');
}

if (process.argv[2] === '--run') {
  const [name, lake] = process.argv.slice(3);
  const out =
    name === 'raw-duckdb'
      ? await rawDuckdb(lake)
      : name === 'polars'
        ? await polars(lake)
        : await library(name === 'lib-arrow' ? 'arrow' : 'duckdb', lake);
  process.stdout.write(`${out}\n`);
} else {
  ensureSalesLake();
  const self = (name: string) => ({ name, cmd: NODE, args: [SELF, '--run', name, LAKE] });
  const cli = (name: string, extra: string[]) => ({
    name,
    cmd: NODE,
    args: ['bin/salesflow.js', 'aggregate', LAKE, ...extra],
  });
  await compare('aggregate-10m', [
    self('raw-duckdb'),
    cli('salesflow -e duckdb', []),
    cli('salesflow -e arrow', ['-e', 'arrow']),
    self('lib-duckdb'),
    self('lib-arrow'),
    self('polars'),
  ]);
}
