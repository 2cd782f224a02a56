import { linkSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { BENCH_DATA, type Candidate, compare, NODE, REPO_ROOT } from './util/measure.ts';
import { BENCH_ROWS, ensureSalesCsv, ensureSalesLake, SALES_CSV, SALES_LAKE } from './util/data.ts';
import { startPeer } from './util/peer-process.ts';

const CSV = SALES_CSV;
/** BENCH_LAKE: another to-parquet lake (e.g. a small one, to try the bench quickly). */
const LAKE = process.env.BENCH_LAKE ?? SALES_LAKE;
const WORK = join(BENCH_DATA, 'pipeline-batch');
const SELF = new URL(import.meta.url).pathname;

/**
 * The baselines: one INSERT … SELECT into a table shaped like silver, from the
 * lake's files (`read_parquet`) or from the CSV (DuckDB's own reader, which
 * checks types only).
 */
async function rawInsert(kind: 'parquet' | 'csv', source: string, db: string): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(db);
  const c = await inst.connect();
  await c.run(`CREATE TABLE sales (transaction_id VARCHAR, customer_id BIGINT, transaction_date DATE,
    sale_amount DECIMAL(12, 2), product_category VARCHAR, sales_region VARCHAR)`);
  const from =
    kind === 'parquet'
      ? `read_parquet('${source}/**/*.parquet', hive_partitioning = true)`
      : `read_csv('${source}', header = true)`;
  const r = await c.run(
    `INSERT INTO sales SELECT transaction_id, customer_id, transaction_date, sale_amount, product_category, sales_region FROM ${from}`,
  );
  process.stdout.write(`${r.rowsChanged} rows\n`);
  c.closeSync();
  inst.closeSync();
}

/** A fresh DuckDB file for each run. */
const fresh = (path: string) => () => {
  rmSync(path, { force: true });
  rmSync(`${path}.wal`, { force: true });
};

const baseline = (name: string, flag: string, source: string, db: string): Candidate => ({
  name,
  cmd: NODE,
  args: [SELF, flag, source, db],
  before: fresh(db),
});

const localPipeline = (name: string, landing: string, db: string): Candidate => ({
  name,
  cmd: NODE,
  args: ['bin/salesflow.js', 'pipeline', 'batch', '-s', relative(REPO_ROOT, landing), '-w', `duckdb:${db}`],
  before: fresh(db),
});

function parquetFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.parquet')).map(String);
}

if (process.argv[2] === '--run') {
  await rawInsert('parquet', process.argv[3], process.argv[4]);
} else if (process.argv[2] === '--run-csv') {
  await rawInsert('csv', process.argv[3], process.argv[4]);
} else {
  if (!process.env.BENCH_LAKE) ensureSalesLake();
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const { openStore } = await import('../shared/storage/index.ts');
  // The test peers, each a process of its own; the BigQuery server reads gs:// load sources from the GCS one.
  const gcs = await startPeer('gcs-server');
  const gcsUrl = gcs.env.STORAGE_EMULATOR_HOST;
  const bq = await startPeer('bigquery-server', ['--project', 'bench-project', '--gcs-endpoint', gcsUrl]);
  const bqUrl = bq.env.BIGQUERY_EMULATOR_HOST;
  try {
    const store = openStore('gs://bench-landing/lake-10m', { apiEndpoint: gcsUrl, projectId: 'bench-project' });
    await store.ensureBucket();
    for (const f of parquetFiles(LAKE)) await store.putFile(f, join(LAKE, f));
    const rawDb = join(WORK, 'raw.duckdb');
    const batchDb = join(WORK, 'batch.duckdb');
    let dataset = 0;
    const bqArgs = ['bin/salesflow.js', 'pipeline', 'batch', '-s', 'gs://bench-landing/lake-10m', '-w', ''];
    const candidates: Candidate[] = [
      baseline('duckdb INSERT…SELECT read_parquet', '--run', LAKE, rawDb),
      localPipeline('pipeline batch → DuckDB (local)', LAKE, batchDb),
      {
        name: 'pipeline batch → BigQuery server (push-down)',
        cmd: NODE,
        args: bqArgs,
        env: { STORAGE_EMULATOR_HOST: gcsUrl, BIGQUERY_EMULATOR_HOST: bqUrl },
        before: () => {
          bqArgs[bqArgs.length - 1] = `bigquery:bench-project.run_${++dataset}`;
        },
        after: async () => {
          // Free the server's memory: each run loads 10M rows into a dataset of its own.
          await fetch(`${bqUrl}/bigquery/v2/projects/bench-project/datasets/run_${dataset}?deleteContents=true`, {
            method: 'DELETE',
          });
          return undefined;
        },
      },
    ];
    const results = await compare(`pipeline-batch-${basename(LAKE)}`, candidates);
    const rows = (JSON.parse(readFileSync(join(LAKE, '_manifest.json'), 'utf8')) as { rows: number }).rows;
    for (const r of results) {
      process.stderr.write(`  ${r.name}: ${(rows / r.medianSeconds / 1e6).toFixed(2)} M rows/s\n`);
    }

    // CSV landed as is: the in-process validation path (BENCH_CSV=0 skips it).
    if (process.env.BENCH_CSV !== '0' && !process.env.BENCH_LAKE) {
      ensureSalesCsv();
      const landing = join(WORK, 'csv-landing');
      mkdirSync(landing, { recursive: true });
      linkSync(CSV, join(landing, 'sales-10m.csv')); // no copy; the pipeline leaves it in place (no --archive)
      const csvDb = join(WORK, 'csv.duckdb');
      const rawCsvDb = join(WORK, 'raw-csv.duckdb');
      const csvResults = await compare('pipeline-batch-csv-10m', [
        baseline('duckdb INSERT…SELECT read_csv', '--run-csv', CSV, rawCsvDb),
        localPipeline('pipeline batch → DuckDB (CSV landing)', landing, csvDb),
      ]);
      for (const r of csvResults)
        process.stderr.write(`  ${r.name}: ${(BENCH_ROWS / r.medianSeconds / 1e6).toFixed(2)} M rows/s\n`);
    }
  } finally {
    await bq.stop();
    await gcs.stop();
  }
}
