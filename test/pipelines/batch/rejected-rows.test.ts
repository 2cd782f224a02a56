/**
 * A file refused for its error rate loads nothing, but its bad rows stay
 * inspectable: they are in quarantine_sales with their reasons and lines,
 * marked `_file_rejected`, committed in the same transaction as the file's
 * load_log row (so a re-run never adds them twice). DuckDB and BigQuery agree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBatch } from '../../../pipelines/batch/run-batch.ts';
import { openStore } from '../../../shared/storage/index.ts';
import { BigQueryWarehouse, type Warehouse } from '../../../warehouse/index.ts';
import { useCloudServers } from '../../util/cloud-servers.ts';
import { useTempDir } from '../../util/tmp.ts';
import { csvText, put, rowLine, sampleRows, withDuckDB, writeParquet } from './fixtures.ts';

const tmp = useTempDir('salesflow-batch-rejected-rows-');
const servers = useCloudServers('rejected-project');

const good = sampleRows(30, 61);
// 3 of 10 CSV rows are refused in-process (bad region, bad date, too few fields).
const badCsvRows = sampleRows(7, 62);
const BAD_CSV_LINES = [
  rowLine({ ...sampleRows(1, 63)[0], region: 'Atlantis' }),
  'TX-bad-date,5,2024-02-30,10.00,Books,North',
  'TX-short,5',
];
// 2 of 6 Parquet rows fail the SQL checks (customer 0, unknown category); one shares an id with `good`.
const badParquetRows = [
  ...sampleRows(4, 64),
  { ...sampleRows(1, 65)[0], customer: 0 },
  { ...good[3], category: 'Gadgets' },
];

async function landing(dir: string): Promise<Record<string, Buffer>> {
  put(join(dir, '1-bad.csv'), csvText(badCsvRows, BAD_CSV_LINES));
  await writeParquet(join(dir, '2-bad.parquet'), badParquetRows);
  put(join(dir, '3-good.csv'), csvText(good, ['TX-x,1,2024-13-01,1.00,Books,North']));
  const files: Record<string, Buffer> = {};
  for (const name of ['1-bad.csv', '2-bad.parquet', '3-good.csv']) files[name] = readFileSync(join(dir, name));
  return files;
}

/** Quarantine as analysts see it: file name, line, reasons, and whether the file was rejected. */
async function quarantine(w: Warehouse): Promise<unknown[]> {
  const { rows } = await w.query(
    `SELECT _source_file, _line, reasons, _file_rejected FROM ${w.ref('quarantine_sales')} ORDER BY _source_file, COALESCE(_line, 0), reasons`,
  );
  return rows.map((r) => ({ ...r, _source_file: String(r._source_file).replace(/.*\//, '') }));
}

const EXPECTED = [
  { _source_file: '1-bad.csv', _line: 9, reasons: expect.stringMatching(/sales_region/), _file_rejected: true },
  { _source_file: '1-bad.csv', _line: 10, reasons: expect.stringMatching(/transaction_date/), _file_rejected: true },
  { _source_file: '1-bad.csv', _line: 11, reasons: expect.stringMatching(/field/), _file_rejected: true },
  { _source_file: '2-bad.parquet', _line: null, reasons: expect.stringMatching(/^customer_id/), _file_rejected: true },
  {
    _source_file: '2-bad.parquet',
    _line: null,
    reasons: expect.stringMatching(/^product_category/),
    _file_rejected: true,
  },
  { _source_file: '3-good.csv', _line: 32, reasons: expect.stringMatching(/transaction_date/), _file_rejected: false },
];

describe('pipeline batch: rows of a rejected file', () => {
  it('DuckDB: quarantined and marked; the file still moves to rejected/; a re-run adds nothing', async () => {
    const root = join(tmp(), 'duckdb');
    const files = await landing(join(root, 'landing'));
    const opts = { source: join(root, 'landing'), warehouse: `duckdb:${join(root, 'w.duckdb')}` };
    const s = await runBatch(opts);
    expect(s.files.map((f) => [f.key, f.status, f.rowsRead, f.rowsRejected])).toEqual([
      ['1-bad.csv', 'rejected', 10, 3],
      ['2-bad.parquet', 'rejected', 6, 2],
      ['3-good.csv', 'partial', 31, 1],
    ]);
    expect(readFileSync(join(root, 'rejected', '1-bad.csv'))).toEqual(files['1-bad.csv']);
    const first = await withDuckDB(join(root, 'w.duckdb'), quarantine);
    expect(first).toEqual(EXPECTED);
    // good[3] is also in the rejected Parquet file: it was not counted a duplicate, and is loaded once.
    expect(s.rowsDuplicate).toBe(0);

    // The same rejected versions landing again: known from the log, nothing quarantined twice.
    put(join(root, 'landing', '1-bad.csv'), files['1-bad.csv']);
    put(join(root, 'landing', '2-bad.parquet'), files['2-bad.parquet']);
    const again = await runBatch(opts);
    expect(again.files.map((f) => [f.key, f.status, f.alreadyDone])).toEqual([
      ['1-bad.csv', 'rejected', true],
      ['2-bad.parquet', 'rejected', true],
      ['3-good.csv', 'partial', true], // loaded, and left in place (no --archive)
    ]);
    expect(await withDuckDB(join(root, 'w.duckdb'), quarantine)).toEqual(first);
  }, 120_000);

  it('BigQuery (GCS + BigQuery test servers): the same rows, the same marks', async () => {
    const local = join(tmp(), 'bq-local');
    const files = await landing(local);
    const storeOptions = { apiEndpoint: servers().gcs.url, projectId: 'rejected-project' };
    const store = openStore('gs://rejected-landing/landing', storeOptions);
    await store.ensureBucket();
    for (const [name, bytes] of Object.entries(files)) await store.putBuffer(name, bytes);
    const w = await BigQueryWarehouse.open({
      projectId: servers().bq.projectId,
      dataset: 'sales',
      endpoint: servers().bq.url,
    });
    const s = await runBatch({ source: 'gs://rejected-landing/landing', warehouse: w, storeOptions });
    expect(s.files.map((f) => [f.key, f.status, f.rowsRead, f.rowsRejected])).toEqual([
      ['1-bad.csv', 'rejected', 10, 3],
      ['2-bad.parquet', 'rejected', 6, 2],
      ['3-good.csv', 'partial', 31, 1],
    ]);
    expect(await quarantine(w)).toEqual(EXPECTED);
    const again = await runBatch({ source: 'gs://rejected-landing/landing', warehouse: w, storeOptions });
    expect(again.files.map((f) => [f.key, f.alreadyDone])).toEqual([['3-good.csv', true]]);
    expect(await quarantine(w)).toEqual(EXPECTED);
  }, 120_000);
});
