/**
 * Group commits: files committed together in one transaction must end exactly
 * as they would one at a time — the first file wins a repeated transaction_id,
 * and a file refused for its error rate loads nothing (only its invalid rows,
 * marked, in quarantine), not even by making another file's rows look like
 * duplicates.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupFiles, runBatch } from '../../../pipelines/batch/run-batch.ts';
import type { LandingFile } from '../../../pipelines/batch/landing-file.ts';
import { useTempDir } from '../../util/tmp.ts';
import {
  batchOptions,
  csvText,
  ndjsonText,
  put,
  sampleRows,
  snapshotOfDuckDB,
  withDuckDB,
  writeParquet,
} from './fixtures.ts';

const tmp = useTempDir('salesflow-batch-groups-');

const outcomeRows = (s: Awaited<ReturnType<typeof runBatch>>) =>
  s.files.map((f) => [f.key, f.status, f.rowsRead, f.rowsLoaded, f.rowsRejected, f.rowsDuplicate]);

describe('pipeline batch: group commits', () => {
  it('splits the listing into runs of files up to the byte limit, a big file alone', () => {
    const f = (key: string, size: number) => ({ key, size }) as LandingFile;
    const files = [f('a', 40), f('b', 40), f('c', 30), f('big', 500), f('d', 10)];
    expect(groupFiles(files, 100).map((g) => g.map((x) => x.key))).toEqual([['a', 'b'], ['c'], ['big'], ['d']]);
    expect(groupFiles(files, 0).map((g) => g.length)).toEqual([1, 1, 1, 1, 1]);
    expect(groupFiles(files, 10_000).map((g) => g.length)).toEqual([5]);
  });

  it('one group and one file at a time end identical: same tables, same counts, same log', async () => {
    const template = join(tmp(), 'template');
    const a = sampleRows(60, 41);
    const b = sampleRows(25, 42);
    b[3] = a[10]; // repeated across files: the first file (a) keeps it
    const c = sampleRows(30, 43);
    c[0] = a[11];
    c[1] = b[4];
    put(join(template, 'landing/1-a.csv'), csvText(a, ['bad,row']));
    await writeParquet(join(template, 'landing/2-b.parquet'), b);
    put(join(template, 'landing/3-c.ndjson'), ndjsonText([...c, c[2]])); // and repeated inside c
    const runs = [];
    for (const groupBytes of [0, 1 << 30]) {
      const root = join(tmp(), `group-${groupBytes}`);
      cpSync(template, root, { recursive: true });
      const summary = await runBatch(batchOptions(root, { groupBytes }));
      runs.push({ outcomes: outcomeRows(summary), tables: await snapshotOfDuckDB(root) });
    }
    expect(runs[0].outcomes).toEqual([
      ['1-a.csv', 'partial', 61, 60, 1, 0],
      ['2-b.parquet', 'loaded', 25, 24, 0, 1],
      ['3-c.ndjson', 'loaded', 31, 28, 0, 3],
    ]);
    expect(runs[1]).toEqual(runs[0]);
  });

  it("a file refused for its error rate in a group neither loads nor makes another file's rows duplicates", async () => {
    const root = join(tmp(), 'refused');
    const good = sampleRows(20, 51);
    const shared = good[5];
    // Half of its rows invalid (far above 5%), and it holds `shared` before the good file does.
    const bad = sampleRows(10, 52).map((r, i) => (i % 2 === 0 ? { ...r, region: 'Atlantis' } : r));
    bad[1] = shared;
    put(join(root, 'landing/1-bad.csv'), csvText(bad));
    put(join(root, 'landing/2-good.csv'), csvText(good));
    const summary = await runBatch(batchOptions(root));
    expect(summary.ok).toBe(false);
    expect(outcomeRows(summary)).toEqual([
      ['1-bad.csv', 'rejected', 10, 0, 5, 0],
      ['2-good.csv', 'loaded', 20, 20, 0, 0],
    ]);
    await withDuckDB(join(root, 'w.duckdb'), async (w) => {
      const silver = await w.query('SELECT COUNT(*) AS n, COUNT(DISTINCT _source_file) AS files FROM silver_sales');
      expect(silver.rows[0]).toEqual({ n: 20, files: 1 });
      const shared_ = await w.query('SELECT _source_file FROM silver_sales WHERE transaction_id = @id', {
        params: { id: shared.id },
      });
      expect(String(shared_.rows[0]._source_file)).toMatch(/2-good\.csv$/);
      // Its invalid rows are kept for inspection, marked as belonging to a rejected file.
      const q = await w.query('SELECT _file_rejected, COUNT(*) AS n FROM quarantine_sales GROUP BY ALL');
      expect(q.rows).toEqual([{ _file_rejected: true, n: 5 }]);
      const log = await w.query('SELECT file, status, rows_loaded FROM load_log ORDER BY file');
      expect(log.rows.map((r) => [String(r.file).replace(/.*\//, ''), r.status, r.rows_loaded])).toEqual([
        ['1-bad.csv', 'rejected', 0],
        ['2-good.csv', 'loaded', 20],
      ]);
    });
  });
});
