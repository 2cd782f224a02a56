/**
 * The dashboard's report model on a 1M-row warehouse (data/bench/dashboard-1m.duckdb,
 * built once from `salesflow gen -n 1M --dimensions --seed 42` through the
 * warehouse and the dims pipeline), against the peer: the very same SQL texts
 * run directly on a DuckDB connection (no warehouse layer, no cell
 * normalization, no model). A third candidate also renders the self-contained
 * page from the model, as `salesflow dashboard --out` does. In one process,
 * alternated, every candidate's KPIs checked equal.
 *
 *   node bench/dashboard.bench.ts          (BENCH_RUNS=5 for more runs)
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tempSiblingPath } from '../shared/atomic.ts';
import { BENCH_DATA, compareInProcess, report } from './util/measure.ts';
import { salesflow } from './util/data.ts';

const ROWS = 1_000_000;
const GEN_DIR = join(BENCH_DATA, 'dashboard-1m');
const WAREHOUSE = join(BENCH_DATA, 'dashboard-1m.duckdb');

async function ensureWarehouse(): Promise<void> {
  if (existsSync(WAREHOUSE)) return;
  const csv = join(GEN_DIR, 'sales.csv');
  if (!existsSync(csv)) {
    salesflow(['gen', '-n', String(ROWS), '--seed', '42', '--dimensions', '--out', csv, '--force']);
  }
  const { DuckDBWarehouse } = await import('../warehouse/duckdb-warehouse.ts');
  const { stagingFields } = await import('../warehouse/tables.ts');
  const { mergeIntoSilverSql } = await import('../warehouse/merge.ts');
  const { runDims } = await import('../pipelines/dims/run-dims.ts');
  const tmp = tempSiblingPath(WAREHOUSE);
  process.stderr.write(`building ${WAREHOUSE} (once)…\n`);
  try {
    const w = await DuckDBWarehouse.open(tmp);
    try {
      await w.ensure();
      await w.createTable('staging_sales', stagingFields(), { replace: true, scratch: true });
      await w.load(csv, 'staging_sales', { format: 'CSV' });
      await w.run(mergeIntoSilverSql(w.sql, (n) => w.ref(n), 'staging_sales'));
      for (const f of ['customers.csv', 'products.csv']) await runDims({ source: join(GEN_DIR, f), warehouse: w });
    } finally {
      await w.close();
    }
    renameSync(tmp, WAREHOUSE);
  } finally {
    rmSync(tmp, { force: true });
    rmSync(`${tmp}.wal`, { force: true });
  }
}

await ensureWarehouse();
const { DuckDBWarehouse } = await import('../warehouse/duckdb-warehouse.ts');
const { buildReportModel } = await import('../warehouse/dashboard/report-model.ts');
const { dashboardQueries, PIPELINE_PANELS, SALES_PANELS } = await import('../warehouse/dashboard/queries.ts');
const { readLivePanel } = await import('../warehouse/dashboard/live-panel.ts');
const { renderReportPage } = await import('../warehouse/dashboard/render-page.ts');

const warehouse = await DuckDBWarehouse.open(WAREHOUSE);
const raw = await DuckDBInstance.create(WAREHOUSE, { access_mode: 'READ_ONLY' }).catch(() => undefined);
// One process may not hold the file twice read-write; the peer reads through a second, read-only instance
// when DuckDB allows it, else through the warehouse's own connection (same engine, no layer above it).
const conn = raw ? await raw.connect() : undefined;
const queries = dashboardQueries('duckdb', (n) => n, {});
const panels = ['coverage', ...SALES_PANELS, ...PIPELINE_PANELS] as const;

async function peer(): Promise<string> {
  let kpis: Record<string, unknown> = {};
  for (const p of panels) {
    const rows = conn
      ? (await conn.runAndReadAll(queries[p].sql)).getRowObjectsJson()
      : (await warehouse.query(queries[p].sql)).rows;
    if (p === 'kpis') kpis = rows[0];
  }
  // The live panel's query too (its table is absent here, as on a warehouse without streaming).
  await readLivePanel(warehouse, {});
  return `${kpis.transactions} ${kpis.total_sales}`;
}

const ours = async () => {
  const m = await buildReportModel(warehouse, {});
  return { m, key: `${m.panels.kpis.rows[0].transactions} ${m.panels.kpis.rows[0].total_sales}` };
};

const results = await compareInProcess<string>(
  'dashboard-report-model-1m',
  [
    { name: 'same SQL on DuckDB directly', run: peer },
    { name: 'buildReportModel', run: async () => (await ours()).key },
    {
      name: 'buildReportModel + render file page',
      run: async () => {
        const { m, key } = await ours();
        const html = renderReportPage({ model: m, mode: 'file' });
        return html.length > 0 ? key : '';
      },
    },
  ],
  { runs: Number(process.env.BENCH_RUNS ?? 3), key: (k) => k, rate: { name: 'M rows/s', perSecond: ROWS / 1e6 } },
);
await report('dashboard-report-model-1m', results, [
  `${ROWS} rows in silver; ${panels.length} panel queries + the live panel; peer ${conn ? 'on a read-only instance' : 'on the same connection'}`,
]);
conn?.closeSync();
raw?.closeSync();
await warehouse.close();
