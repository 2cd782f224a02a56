/**
 * pipeline batch: the archive and rejected areas and the DuckDB warehouse (its
 * file, write-ahead log and spill folder) may not be, contain or sit inside the
 * landing area (where they would be re-listed or delete what they hold), nor
 * overlap each other; a hidden or `_` folder inside the landing area is never
 * listed, so it may hold them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBatch } from '../../../pipelines/batch/run-batch.ts';
import { OverlapError } from '../../../shared/errors.ts';
import { DuckDBWarehouse } from '../../../warehouse/duckdb-warehouse.ts';
import { runSalesflow } from '../../util/cli.ts';
import { useTempDir } from '../../util/tmp.ts';
import { batchCliArgs, csvText, put, sampleRows } from './fixtures.ts';

const tmp = useTempDir('salesflow-batch-overlap-');

function landing(name: string): { root: string; source: string; file: string; text: string } {
  const root = join(tmp(), name);
  const source = join(root, 'landing');
  const text = csvText(sampleRows(20, 5));
  const file = put(join(source, 'day1', 'a.csv'), text);
  return { root, source, file, text };
}

describe('pipeline batch: archive / rejected vs the landing area', () => {
  it.each([
    ['--archive = --source', (l: ReturnType<typeof landing>) => ({ archive: l.source })],
    ['--archive containing --source', (l: ReturnType<typeof landing>) => ({ archive: l.root })],
    ['--archive inside --source', (l: ReturnType<typeof landing>) => ({ archive: join(l.source, 'archive') })],
    [
      '--rejected = --source (with a trailing slash)',
      (l: ReturnType<typeof landing>) => ({ rejected: `${l.source}/` }),
    ],
    ['--rejected inside --source', (l: ReturnType<typeof landing>) => ({ rejected: join(l.source, 'day1', 'bad') })],
    [
      '--archive = --rejected',
      (l: ReturnType<typeof landing>) => ({ archive: join(l.root, 'done'), rejected: join(l.root, 'done') }),
    ],
  ])('%s: refused before anything is read or moved (exit 2)', async (_name, make) => {
    const l = landing(_name.replace(/\W+/g, '-'));
    const err = await runBatch({
      source: l.source,
      warehouse: `duckdb:${join(l.root, 'w.duckdb')}`,
      ...make(l),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(OverlapError);
    expect(err.exitCode).toBe(2);
    expect(readFileSync(l.file, 'utf8')).toBe(l.text);
    expect(existsSync(join(l.root, 'w.duckdb'))).toBe(false);
  });

  it('gs:// prefixes compare by segment: an archive inside the landing prefix is refused without any request', async () => {
    // Nothing listens on this endpoint: the refusal must come before any request.
    const storeOptions = { apiEndpoint: 'http://127.0.0.1:9', retryOptions: { maxRetries: 0 } };
    const err = await runBatch({
      source: 'gs://bucket/landing',
      archive: 'gs://bucket/landing/archive/',
      warehouse: `duckdb:${join(tmp(), 'gs.duckdb')}`,
      storeOptions,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(OverlapError);
    expect(err.message).toContain('gs://bucket/landing/archive');
    // Bucket root landing: the default rejected area is its `_rejected/` folder, which is never listed.
    const root = await runBatch({
      source: 'gs://bucket',
      archive: 'gs://bucket/archive',
      warehouse: `duckdb:${join(tmp(), 'gs2.duckdb')}`,
      storeOptions,
    }).catch((e) => e);
    expect(root).toBeInstanceOf(OverlapError);
    expect(root.message).toMatch(/--archive gs:\/\/bucket\/archive is inside --source gs:\/\/bucket/);
  });

  it('a `_` folder inside the landing area may hold them, and is never listed', async () => {
    const l = landing('hidden');
    put(join(l.source, 'bad.csv'), 'not,a,sales,file\n1,2,3,4\n');
    const s = await runBatch({
      source: l.source,
      warehouse: `duckdb:${join(l.root, 'w.duckdb')}`,
      archive: join(l.source, '_archive'),
      rejected: join(l.source, '_rejected'),
    });
    expect(s.files.map((f) => [f.key, f.status])).toEqual([
      ['bad.csv', 'rejected'],
      ['day1/a.csv', 'loaded'],
    ]);
    const again = await runBatch({
      source: l.source,
      warehouse: `duckdb:${join(l.root, 'w.duckdb')}`,
      archive: join(l.source, '_archive'),
      rejected: join(l.source, '_rejected'),
    });
    expect(again.files).toEqual([]);
    expect(readdirSync(join(l.source, '_archive', 'day1'))).toEqual(['a.csv']);
    expect(readdirSync(join(l.source, '_rejected'))).toEqual(['bad.csv']);
  });

  it.each([
    ['the warehouse inside --source', (l: ReturnType<typeof landing>) => join(l.source, 'w.duckdb')],
    [
      'the warehouse inside a landing subfolder',
      (l: ReturnType<typeof landing>) => join(l.source, 'day1', 'w.parquet'),
    ],
    ['the warehouse = --source', (l: ReturnType<typeof landing>) => l.source],
    ['the warehouse = a landing file', (l: ReturnType<typeof landing>) => l.file],
    ['the warehouse containing --source', (l: ReturnType<typeof landing>) => l.root],
  ])('%s: refused before anything is read, moved or created (exit 2)', async (_name, where) => {
    const l = landing(_name.replace(/\W+/g, '-'));
    const path = where(l);
    const err = await runBatch({ source: l.source, warehouse: `duckdb:${path}` }).catch((e) => e);
    expect(err).toBeInstanceOf(OverlapError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/^the warehouse .* --source /);
    expect(readFileSync(l.file, 'utf8')).toBe(l.text);
    expect(readdirSync(l.source).sort()).toEqual(['day1']);
    expect(readdirSync(join(l.source, 'day1'))).toEqual(['a.csv']);
  });

  it("the warehouse's spill folder (PATH.tmp) = the landing area is refused too", async () => {
    const root = join(tmp(), 'spill');
    const source = join(root, 'w.duckdb.tmp');
    const file = put(join(source, 'a.csv'), csvText(sampleRows(5, 6)));
    const err = await runBatch({ source, warehouse: `duckdb:${join(root, 'w.duckdb')}` }).catch((e) => e);
    expect(err).toBeInstanceOf(OverlapError);
    expect(err.message).toContain(`the warehouse ${source} is the same place as --source ${source}`);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(join(root, 'w.duckdb'))).toBe(false);
  });

  it('an open DuckDB warehouse inside the landing area is refused as well', async () => {
    const l = landing('open-handle');
    const w = await DuckDBWarehouse.open(join(l.source, 'w.duckdb'));
    try {
      const err = await runBatch({ source: l.source, warehouse: w }).catch((e) => e);
      expect(err).toBeInstanceOf(OverlapError);
      expect(err.message).toContain(`the warehouse ${join(l.source, 'w.duckdb')} is inside --source`);
    } finally {
      await w.close();
    }
  });

  it('--archive or --rejected holding the warehouse are refused', async () => {
    const l = landing('archive-holds-warehouse');
    const archive = join(l.root, 'archive');
    const err = await runBatch({
      source: l.source,
      archive,
      warehouse: `duckdb:${join(archive, 'w.duckdb')}`,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(OverlapError);
    expect(err.message).toContain(`--archive ${archive} contains the warehouse ${join(archive, 'w.duckdb')}`);
    const rej = await runBatch({ source: l.source, warehouse: `duckdb:${join(l.root, 'rejected')}` }).catch((e) => e);
    expect(rej).toBeInstanceOf(OverlapError);
    expect(rej.message).toMatch(/rejected area .* is the same place as the warehouse/);
    expect(existsSync(archive)).toBe(false);
    expect(existsSync(join(l.root, 'rejected'))).toBe(false);
  });

  it('the warehouse in a `_` folder of the landing area is never listed, so it may be there', async () => {
    const l = landing('warehouse-hidden');
    const path = join(l.source, '_warehouse', 'w.duckdb');
    const first = await runBatch({ source: l.source, warehouse: `duckdb:${path}` });
    expect(first.files.map((f) => [f.key, f.status])).toEqual([['day1/a.csv', 'loaded']]);
    const again = await runBatch({ source: l.source, warehouse: `duckdb:${path}` });
    expect(again.files.map((f) => [f.key, f.alreadyDone])).toEqual([['day1/a.csv', true]]);
    expect(again.ignored).toEqual([]);
  });

  it('the CLI exits 2 naming both', async () => {
    const l = landing('cli');
    const res = await runSalesflow(batchCliArgs(l.root, '--archive', l.source));
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`--archive ${l.source} is the same place as --source ${l.source}`);
    expect(readFileSync(l.file, 'utf8')).toBe(l.text);
  });

  it('the CLI exits 2 naming the warehouse and the landing area, and creates no warehouse', async () => {
    const l = landing('cli-warehouse');
    const path = join(l.source, 'w.duckdb');
    const res = await runSalesflow(['pipeline', 'batch', '-s', l.source, '-w', `duckdb:${path}`]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`the warehouse ${path} is inside --source ${l.source}`);
    expect(existsSync(path)).toBe(false);
  });
});
