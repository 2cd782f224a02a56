/**
 * pipeline batch reading a gs:// landing area while the server answers some
 * requests 503/429 and cuts some downloads halfway: no crash (no uncaught
 * stream error), and the tables equal those of a fault-free run on the same
 * files — through the push-down path (BigQuery) and the local one (DuckDB
 * fetching the Parquet files itself).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBatch } from '../../../pipelines/batch/run-batch.ts';
import { openStore } from '../../../shared/storage/index.ts';
import { BigQueryWarehouse } from '../../../warehouse/index.ts';
import { type RunningBigQueryServer, startBigQueryServer } from '../../util/bigquery-server/index.ts';
import { type GcsServer, startGcsServer } from '../../util/gcs-server/index.ts';
import { useTempDir } from '../../util/tmp.ts';
import {
  csvText,
  gz,
  ndjsonText,
  put,
  sampleRows,
  snapshot,
  snapshotOfDuckDB,
  withDuckDB,
  writeParquet,
} from './fixtures.ts';

const tmp = useTempDir('salesflow-batch-faults-');
let gcs: GcsServer;
let bq: RunningBigQueryServer;
const KEYS = ['in/sales.csv', 'in/more.ndjson.gz', 'lake/sales_region=East/part-00000.parquet', 'lake/typed.parquet'];
// The client's retry budget, with short delays (uploads need maxRetryDelay ≥ 1 s).
const storeOptions = {
  apiEndpoint: '',
  retryOptions: { maxRetries: 8, retryDelayMultiplier: 1.2, maxRetryDelay: 1, totalTimeout: 60 },
};

beforeAll(async () => {
  gcs = await startGcsServer();
  storeOptions.apiEndpoint = gcs.url;
  bq = await startBigQueryServer({ projectId: 'fault-project', gcsEndpoint: gcs.url });
  const local = join(tmp(), 'local');
  put(join(local, 'landing/in/sales.csv'), csvText(sampleRows(400, 1)));
  put(join(local, 'landing/in/more.ndjson.gz'), gz(ndjsonText(sampleRows(300, 2))));
  const east = sampleRows(200, 3).map((r) => ({ ...r, region: 'East' }));
  await writeParquet(join(local, 'landing/lake/sales_region=East/part-00000.parquet'), east, 'sales_region');
  await writeParquet(join(local, 'landing/lake/typed.parquet'), sampleRows(250, 4));
  // The reference: the same files, local, no faults.
  await runBatch({ source: join(local, 'landing'), warehouse: `duckdb:${join(local, 'w.duckdb')}` });
}, 120_000);

afterAll(async () => {
  await bq?.stop();
  await gcs?.stop();
});

async function land(bucket: string): Promise<void> {
  const landing = openStore(`gs://${bucket}/landing`, storeOptions);
  await landing.ensureBucket();
  for (const key of KEYS) await landing.putBuffer(key, readFileSync(join(tmp(), 'local', 'landing', key)));
}

describe('pipeline batch from gs:// under transient read faults', () => {
  it('BigQuery push-down: loads everything once, like a fault-free run', async () => {
    await land('faulty-bq');
    gcs.setFaults({ error503: 0.25, error429: 0.05, resetMidDownload: 0.3, target: 'downloads', seed: 11 });
    const w = await BigQueryWarehouse.open({ projectId: bq.projectId, dataset: 'sales', endpoint: bq.url });
    const s = await runBatch({
      source: 'gs://faulty-bq/landing',
      warehouse: w,
      archive: 'gs://faulty-bq/archive',
      storeOptions,
    });
    gcs.setFaults(undefined);
    expect(gcs.stats.injected503 + gcs.stats.downloadResets).toBeGreaterThan(2);
    expect(s.files.map((f) => [f.key, f.status, f.disposition])).toEqual(
      [...KEYS].sort().map((k) => [k, 'loaded', expect.stringMatching(/^archived/)]),
    );
    expect(await snapshot(w, 'gs://faulty-bq')).toEqual(await snapshotOfDuckDB(join(tmp(), 'local')));
  }, 180_000);

  it('DuckDB from gs://: loads everything once, like a fault-free run', async () => {
    await land('faulty-duck');
    const saved = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = gcs.url; // the DuckDB warehouse fetches gs:// Parquet through it
    const root = join(tmp(), 'duck');
    try {
      gcs.setFaults({ error503: 0.25, error429: 0.05, resetMidDownload: 0.3, target: 'downloads', seed: 12 });
      const s = await runBatch({
        source: 'gs://faulty-duck/landing',
        warehouse: `duckdb:${join(root, 'w.duckdb')}`,
        archive: 'gs://faulty-duck/archive',
        storeOptions,
      });
      gcs.setFaults(undefined);
      expect(s.files.map((f) => [f.key, f.status])).toEqual([...KEYS].sort().map((k) => [k, 'loaded']));
    } finally {
      if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST;
      else process.env.STORAGE_EMULATOR_HOST = saved;
    }
    const got = await withDuckDB(join(root, 'w.duckdb'), (w) => snapshot(w, 'gs://faulty-duck'));
    expect(got).toEqual(await snapshotOfDuckDB(join(tmp(), 'local')));
  }, 180_000);
});
