/**
 * The push-down path: landing files in gs:// (GCS test server) → BigQuery (REST
 * test server). Parquet goes from gs:// straight into a staging table by a load
 * job and is validated and de-duplicated in SQL; the result must equal the local
 * DuckDB path's on the same files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBatch } from '../../../pipelines/batch/run-batch.ts';
import { openStore } from '../../../shared/storage/index.ts';
import { BigQueryWarehouse } from '../../../warehouse/index.ts';
import { useCloudServers } from '../../util/cloud-servers.ts';
import { useTempDir } from '../../util/tmp.ts';
import {
  csvText,
  gz,
  ndjsonText,
  put,
  rowLine,
  sampleRows,
  snapshot,
  snapshotOfDuckDB,
  writeParquet,
} from './fixtures.ts';

const tmp = useTempDir('salesflow-batch-bq-');
const servers = useCloudServers('batch-project');

describe('pipeline batch, push-down path (GCS → BigQuery)', () => {
  it('loads gs:// landing files through staging tables and SQL, archives in gs://, and matches the local path', async () => {
    const local = join(tmp(), 'local');
    const a = sampleRows(60, 41);
    const lake = sampleRows(30, 42).map((r) => ({ ...r, region: 'East' }));
    lake[3] = { ...a[2], region: 'East' };
    const bad = { ...sampleRows(1, 43)[0], customer: 0, category: 'Gadgets' };
    put(join(local, 'landing/in/sales.csv'), csvText(a, ['TX-x,1,2024-13-01,1.00,Books,North', rowLine(a[0])]));
    put(join(local, 'landing/in/more.ndjson.gz'), gz(ndjsonText(sampleRows(20, 44))));
    await writeParquet(join(local, 'landing/lake/sales_region=East/part-00000.parquet'), lake, 'sales_region');
    await writeParquet(join(local, 'landing/lake/typed.parquet'), [...sampleRows(40, 45), bad]);

    const storeOptions = { apiEndpoint: servers().gcs.url, projectId: 'batch-project' };
    const landing = openStore('gs://bq-landing/landing', storeOptions);
    await landing.ensureBucket();
    for (const key of [
      'in/sales.csv',
      'in/more.ndjson.gz',
      'lake/sales_region=East/part-00000.parquet',
      'lake/typed.parquet',
    ]) {
      await landing.putBuffer(key, readFileSync(join(local, 'landing', key)));
    }

    const w = await BigQueryWarehouse.open({
      projectId: servers().bq.projectId,
      dataset: 'sales',
      endpoint: servers().bq.url,
    });
    const s = await runBatch({
      source: 'gs://bq-landing/landing',
      warehouse: w,
      archive: 'gs://bq-landing/archive',
      storeOptions,
    });
    expect(s.files.map((f) => [f.key, f.status, f.rowsRead, f.rowsLoaded, f.rowsRejected, f.rowsDuplicate])).toEqual([
      ['in/more.ndjson.gz', 'loaded', 20, 20, 0, 0],
      ['in/sales.csv', 'partial', 62, 60, 1, 1],
      ['lake/sales_region=East/part-00000.parquet', 'loaded', 30, 29, 0, 1],
      ['lake/typed.parquet', 'partial', 41, 40, 1, 0],
    ]);
    const q = await w.query(
      `SELECT reasons FROM ${w.ref('quarantine_sales')} WHERE _source_file LIKE '%typed.parquet'`,
    );
    expect(q.rows).toEqual([
      {
        reasons: expect.stringMatching(
          /^customer_id: is missing or not positive; product_category: is missing or not one of/,
        ),
      },
    ]);
    // Moved to the archive in the bucket; the landing prefix is empty.
    expect((await landing.list()).objects).toEqual([]);
    const archive = openStore('gs://bq-landing/archive', storeOptions);
    expect((await archive.list()).objects.map((o) => o.key).sort()).toHaveLength(4);

    // The same files through the local path give the same tables.
    const local$ = await runBatch({ source: join(local, 'landing'), warehouse: `duckdb:${join(local, 'w.duckdb')}` });
    expect(local$.rowsLoaded).toBe(s.rowsLoaded);
    expect(await snapshot(w, 'gs://bq-landing')).toEqual(await snapshotOfDuckDB(local));

    // A re-run has nothing to do.
    const again = await runBatch({
      source: 'gs://bq-landing/landing',
      warehouse: w,
      archive: 'gs://bq-landing/archive',
      storeOptions,
    });
    expect(again.files).toEqual([]);
  }, 120_000);
});
