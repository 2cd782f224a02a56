/**
 * Kill the pipeline (SIGKILL, via SALESFLOW_CRASH_AT) at each dangerous point,
 * run it again, and compare the warehouse with an uninterrupted run's: no lost
 * rows, no duplicates, every file logged once, every file archived.
 */
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBatch } from '../../../pipelines/batch/run-batch.ts';
import { runSalesflow } from '../../util/cli.ts';
import { useTempDir } from '../../util/tmp.ts';
import {
  batchCliArgs,
  batchOptions,
  csvText,
  ndjsonText,
  put,
  rowLine,
  sampleRows,
  snapshotOfDuckDB,
  withDuckDB,
  writeParquet,
} from './fixtures.ts';

const tmp = useTempDir('salesflow-batch-crash-');

function filesUnder(dir: string): string[] {
  return existsSync(dir)
    ? (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
        .filter((d) => d.isFile())
        .map((d) => d.name)
        .sort()
    : [];
}

describe('pipeline batch: crash and re-run', () => {
  let template: string;
  let expected: Awaited<ReturnType<typeof snapshotOfDuckDB>>;

  beforeAll(async () => {
    template = join(tmp(), 'template');
    // Over 1 MiB, so more than one read batch (mid-file), with a bad row and a duplicate id.
    const a = sampleRows(22_000, 31);
    put(join(template, 'landing/a.csv'), csvText(a, ['bad,row', rowLine(a[7])]));
    await writeParquet(join(template, 'landing/b.parquet'), [...sampleRows(50, 32), a[9]]);
    put(join(template, 'landing/c.ndjson'), ndjsonText(sampleRows(40, 33)));
    const ref = join(tmp(), 'reference');
    cpSync(template, ref, { recursive: true });
    const s = await runBatch(batchOptions(ref));
    expect(s.files.map((f) => f.status)).toEqual(['partial', 'loaded', 'loaded']);
    expected = await snapshotOfDuckDB(ref);
  }, 60_000);

  // NAME@N: the N-th time the point is reached (per file for after-stage and mid-archive, per group for after-commit).
  // The files are small, so by default they form one commit group; `--group-mb 0` commits a
  // file at a time, so a kill can also fall between one file's commit and the next's.
  it.each([
    ['mid-file', [], 'reading the first file'],
    ['after-stage@2', [], 'rows staged, before the group commit (between load and log)'],
    ['after-commit', [], 'group committed and logged, before any file is archived (between log and archive)'],
    ['mid-archive', [], 'archive copy written, source not yet deleted'],
    ['after-stage@2', ['--group-mb', '0'], '1st file committed and archived, 2nd staged, not committed'],
    ['after-commit@2', ['--group-mb', '0'], '2nd file committed, not yet archived'],
  ])(
    'killed at %s %j (%s): the re-run ends identical to an uninterrupted run',
    async (point, extra) => {
      const root = join(tmp(), `${point.replace('@', '-')}${extra.join('')}`);
      cpSync(template, root, { recursive: true });
      const args = batchCliArgs(root, '--archive', join(root, 'archive'), ...extra);
      const crashed = await runSalesflow(args, { env: { SALESFLOW_CRASH_AT: point } });
      expect(crashed.code, crashed.stderr).toBe(null); // killed, not exited
      // The re-run in-process (the CLI's exit codes are covered in cli.test.ts).
      const rerun = await runBatch(batchOptions(root));
      expect(rerun.files.filter((f) => f.status === 'rejected')).toEqual([]);
      expect(await snapshotOfDuckDB(root)).toEqual(expected);
      expect(filesUnder(join(root, 'landing'))).toEqual([]);
      expect(filesUnder(join(root, 'archive'))).toEqual(['a.csv', 'b.parquet', 'c.ndjson']);
      // Where each file went is recorded, also for a file whose disposal the re-run finished.
      const moved = await withDuckDB(
        join(root, 'w.duckdb'),
        async (w) => (await w.query('SELECT file, moved_to FROM load_log ORDER BY file')).rows,
      );
      expect(moved).toEqual(
        ['a.csv', 'b.parquet', 'c.ndjson'].map((f) => ({
          file: join(root, 'landing', f),
          moved_to: join(root, 'archive', f),
        })),
      );
    },
    120_000,
  );
});
