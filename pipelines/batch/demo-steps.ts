/**
 * The demo's steps after `gen`: CSV → Parquet lake → "bucket" (a local folder
 * standing in for gs://) → pipeline batch into the local DuckDB warehouse →
 * aggregate over the lake and a few gold queries over the warehouse (cli/demo.ts
 * puts them in order with the other commands' steps). Each step records what it
 * made in ctx.files for the next one.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DemoStep } from '../../cli/demo.ts';
import { renderReports } from '../../aggregate/output.ts';
import { standardReports } from '../../aggregate/query.ts';
import { aggregate } from '../../aggregate/run.ts';
import { convertToParquet } from '../../transform/convert.ts';
import { upload } from '../../upload/upload.ts';
import { renderTable } from '../../warehouse/render.ts';
import { DuckDBWarehouse } from '../../warehouse/index.ts';
import { formatBatchReport } from './report.ts';
import { runBatch } from './run-batch.ts';

const need = (files: Record<string, string>, role: string, step: string): string => {
  const f = files[role];
  if (!f) throw new Error(`the ${step} step needs the output of an earlier step (${role}); run the steps in order`);
  return f;
};

export const toParquetStep: DemoStep = {
  name: 'to-parquet',
  describe: 'sales CSV → Parquet lake partitioned by region',
  async run(ctx) {
    const out = join(ctx.dir, 'lake');
    const m = await convertToParquet({
      input: need(ctx.files, 'salesCsv', 'to-parquet'),
      outDir: out,
      partitionBy: ['sales_region'],
      force: true,
    });
    ctx.files.lake = out;
    return { rows: m.rows, output: out, detail: `${m.files.length} files` };
  },
};

export const uploadStep: DemoStep = {
  name: 'upload',
  describe: 'lake → landing area of a local "bucket" folder',
  async run(ctx) {
    const bucket = join(ctx.dir, 'bucket');
    // The demo owns its folder: a fresh bucket each run, so the pipeline sees every file as new.
    await rm(bucket, { recursive: true, force: true });
    const dest = join(bucket, 'landing', 'lake');
    const s = await upload({ src: need(ctx.files, 'lake', 'upload'), dest });
    if (s.failed > 0) throw new Error(`${s.failed} files failed to upload`);
    ctx.files.bucket = bucket;
    return { output: dest, detail: `${s.uploaded} files` };
  },
};

export const pipelineBatchStep: DemoStep = {
  name: 'pipeline batch',
  describe: 'landing → bronze/silver/quarantine + load_log in DuckDB, files archived',
  async run(ctx) {
    const bucket = need(ctx.files, 'bucket', 'pipeline batch');
    const db = join(ctx.dir, 'warehouse.duckdb');
    await rm(db, { force: true });
    await rm(`${db}.wal`, { force: true });
    const s = await runBatch({
      source: join(bucket, 'landing'),
      warehouse: `duckdb:${db}`,
      archive: join(bucket, 'archive'),
    });
    ctx.note(formatBatchReport(s).split('\n').slice(-1)[0]);
    if (!s.ok) throw new Error(`rows or files were rejected:\n${formatBatchReport(s)}`);
    ctx.files.warehouse = db;
    return { rows: s.rowsLoaded, output: db, detail: `${s.files.length} files` };
  },
};

export const aggregateStep: DemoStep = {
  name: 'aggregate',
  describe: 'standard reports over the Parquet lake (DuckDB engine)',
  async run(ctx) {
    const lake = need(ctx.files, 'lake', 'aggregate');
    const out = await aggregate({ source: lake, queries: standardReports(undefined, 5) });
    ctx.note(renderReports(out.reports, 'table'));
    return { output: lake, detail: `${out.reports.length} reports` };
  },
};

/** A few analyst questions answered from the gold views. */
export const GOLD_DEMO_QUERIES: readonly { title: string; sql: string }[] = [
  {
    title: 'Sales by category (gold_sales_by_category)',
    sql: 'SELECT product_category, transactions, total_sales, average_sale FROM gold_sales_by_category ORDER BY total_sales DESC',
  },
  {
    title: 'Average sale by region (gold_avg_by_region)',
    sql: 'SELECT sales_region, transactions, average_sale FROM gold_avg_by_region ORDER BY sales_region',
  },
  {
    title: 'Top 5 customers (gold_top_customers)',
    sql: 'SELECT customer_id, customer_name, total_spent, purchases, last_purchase FROM gold_top_customers ORDER BY total_spent DESC, customer_id LIMIT 5',
  },
];

export const goldQueriesStep: DemoStep = {
  name: 'gold queries',
  describe: 'a few gold-view queries on the warehouse',
  async run(ctx) {
    const w = await DuckDBWarehouse.open(need(ctx.files, 'warehouse', 'gold queries'), { access: 'read' });
    try {
      for (const q of GOLD_DEMO_QUERIES) {
        const r = await w.query(q.sql);
        ctx.note(`${q.title}\n${renderTable(r.fields, r.rows)}`);
      }
      const n = await w.query('SELECT COUNT(*) AS n FROM silver_sales');
      return { rows: Number(n.rows[0].n), output: w.target, detail: `${GOLD_DEMO_QUERIES.length} queries` };
    } finally {
      await w.close();
    }
  },
};
