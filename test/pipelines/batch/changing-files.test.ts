/**
 * Files that change while the batch pipeline handles them: what is loaded,
 * logged and archived is always the same bytes. A file that changes between
 * listing and loading (or was modified too recently) is left in place as
 * `waiting` and loaded whole by the next run; a file that changes after it was
 * read is archived as loaded and its new version stays for the next run. The
 * changes happen at the pipeline's checkpoints (crash.ts), on a local landing
 * folder and on the GCS test server.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CrashPoint, onCheckpoint } from '../../../pipelines/crash.ts';
import { runBatch } from '../../../pipelines/batch/run-batch.ts';
import { openStore } from '../../../shared/storage/index.ts';
import { BigQueryWarehouse, type Warehouse } from '../../../warehouse/index.ts';
import { useCloudServers } from '../../util/cloud-servers.ts';
import { useTempDir } from '../../util/tmp.ts';
import { csvText, put, rowLine, sampleRows, withDuckDB, writeParquet } from './fixtures.ts';

const tmp = useTempDir('salesflow-batch-changing-');
const servers = useCloudServers('changing-project');
afterEach(() => onCheckpoint(undefined));

const md5 = (b: Uint8Array) => `md5:${createHash('md5').update(b).digest('base64')}`;
const more = sampleRows(7, 99).map(rowLine).join('\n');

/** At `point`, for landing key `key`, once: run `change`. */
function changeAt(point: CrashPoint, key: string, change: () => void | Promise<void>): void {
  let done = false;
  onCheckpoint(async (p, keys) => {
    if (done || p !== point || !keys.includes(key)) return;
    done = true;
    await change();
  });
}

interface Logged {
  file: string;
  attempt: number;
  size_bytes: number;
  checksum: string;
  rows_read: number;
  status: string;
  moved_to: string | null;
}

async function logOf(w: Warehouse, file: string): Promise<Logged[]> {
  const { rows } = await w.query(
    `SELECT file, attempt, size_bytes, checksum, rows_read, status, moved_to FROM ${w.ref('load_log')} WHERE file = @f ORDER BY attempt`,
    { params: { f: file } },
  );
  return rows as unknown as Logged[];
}

async function rowsFrom(w: Warehouse, file: string): Promise<number> {
  const { rows } = await w.query(
    `SELECT (SELECT COUNT(*) FROM ${w.ref('bronze_sales')} WHERE _source_file = @f) + (SELECT COUNT(*) FROM ${w.ref('quarantine_sales')} WHERE _source_file = @f) AS n`,
    { params: { f: file } },
  );
  return Number(rows[0].n);
}

/** One loaded attempt whose size, checksum and row count describe exactly `bytes`. */
function expectLoadedAs(log: Logged, bytes: Buffer, rows: number): void {
  expect(log.status).toMatch(/^(loaded|partial)$/);
  expect(log.size_bytes).toBe(bytes.length);
  expect(log.checksum).toBe(md5(bytes));
  expect(log.rows_read).toBe(rows);
}

describe('pipeline batch: a local file that changes while it is handled', () => {
  const setup = (name: string) => {
    const root = join(tmp(), name);
    const a = put(join(root, 'landing', 'a.csv'), csvText(sampleRows(40, 1)));
    put(join(root, 'landing', 'b.csv'), csvText(sampleRows(10, 2)));
    const opts = {
      source: join(root, 'landing'),
      warehouse: `duckdb:${join(root, 'w.duckdb')}`,
      archive: join(root, 'archive'),
    };
    return { root, a, opts, db: join(root, 'w.duckdb') };
  };

  it('changed between listing and loading: left in place as waiting, then loaded whole by the next run', async () => {
    const { root, a, opts, db } = setup('after-list');
    changeAt('after-list', 'a.csv', () => appendFileSync(a, `${more}\n`));
    const s = await runBatch(opts);
    const byKey = Object.fromEntries(s.files.map((f) => [f.key, f]));
    expect(byKey['a.csv'].status).toBe('waiting');
    expect(byKey['a.csv'].disposition).toMatch(/changed while being read.*next run/);
    expect(byKey['b.csv'].status).toBe('loaded');
    expect(s.ok).toBe(true); // not an error: nothing was refused
    await withDuckDB(db, async (w) => {
      expect(await logOf(w, a)).toEqual([]);
      expect(await rowsFrom(w, a)).toBe(0);
    });
    expect(existsSync(join(root, 'archive', 'a.csv'))).toBe(false);

    onCheckpoint(undefined);
    const now = readFileSync(a);
    const next = await runBatch(opts);
    expect(next.files.map((f) => [f.key, f.status])).toEqual([['a.csv', 'loaded']]);
    expect(readFileSync(join(root, 'archive', 'a.csv'))).toEqual(now);
    await withDuckDB(db, async (w) => {
      const [log] = await logOf(w, a);
      expectLoadedAs(log, now, 47);
      expect(await rowsFrom(w, a)).toBe(47);
    });
  });

  it.each([
    ['after-stage', 'read, before the commit'],
    ['after-commit', 'committed, before it is archived'],
  ] as const)(
    'changed %s (%s): the archive holds the bytes loaded and logged; the new version stays for the next run',
    async (point, _when) => {
      const { root, a, opts, db } = setup(point);
      const loaded = readFileSync(a);
      changeAt(point, 'a.csv', () => appendFileSync(a, `${more}\n`));
      const s = await runBatch(opts);
      const outcome = s.files.find((f) => f.key === 'a.csv');
      expect(outcome?.status).toBe('loaded');
      expect(outcome?.disposition).toMatch(/archived .*changed since.*stays/);
      const archived = readFileSync(join(root, 'archive', 'a.csv'));
      expect(archived).toEqual(loaded);
      await withDuckDB(db, async (w) => {
        const [log] = await logOf(w, a);
        expectLoadedAs(log, archived, 40);
        expect(await rowsFrom(w, a)).toBe(40);
      });
      // The landing file is the new version, untouched; the next run loads it as attempt 2.
      const changed = readFileSync(a);
      expect(changed.length).toBeGreaterThan(loaded.length);
      onCheckpoint(undefined);
      const next = await runBatch(opts);
      expect(next.files.map((f) => [f.key, f.status])).toEqual([['a.csv', 'loaded']]);
      // Both versions archived: the first under its name, the second beside it under its versioned name.
      const second = join(root, 'archive', `a.${createHash('md5').update(changed).digest('hex').slice(0, 16)}.csv`);
      expect(readFileSync(join(root, 'archive', 'a.csv'))).toEqual(loaded);
      expect(readFileSync(second)).toEqual(changed);
      await withDuckDB(db, async (w) => {
        const logs = await logOf(w, a);
        expect(logs.map((l) => [l.attempt, l.moved_to])).toEqual([
          [1, join(root, 'archive', 'a.csv')],
          [2, second],
        ]);
        expectLoadedAs(logs[1], changed, 47);
      });
    },
  );

  it('rewritten in place after the commit with the same size and timestamp: the new version is not deleted', async () => {
    // File timestamps come from a coarse clock (jiffies; seconds on some filesystems): a writer that
    // truncates and rewrites a file quickly can leave size, mtime and inode as they were.
    const { a, opts } = setup('same-stamp');
    const at = Math.floor(Date.now() / 1000) - 600;
    utimesSync(a, at, at);
    const loaded = readFileSync(a);
    const [header, ...lines] = loaded.toString().trimEnd().split('\n');
    const rewritten = `${[header, ...lines.reverse()].join('\n')}\n`;
    expect(rewritten.length).toBe(loaded.length);
    changeAt('after-commit', 'a.csv', () => {
      writeFileSync(a, rewritten);
      utimesSync(a, at, at);
    });
    const s = await runBatch({ ...opts, archive: undefined, deleteSource: true });
    expect(s.files.find((f) => f.key === 'a.csv')?.disposition).toMatch(/not deleted.*changed since/);
    expect(readFileSync(a, 'utf8')).toBe(rewritten);
  });

  it('a file modified less than --min-age ago waits; an older one loads', async () => {
    const { a, opts } = setup('min-age');
    const old = (Date.now() - 120_000) / 1000;
    utimesSync(join(opts.source, 'b.csv'), old, old);
    appendFileSync(a, `${more}\n`); // just now
    const s = await runBatch({ ...opts, minAgeMs: 60_000 });
    expect(s.files.map((f) => [f.key, f.status])).toEqual([
      ['a.csv', 'waiting'],
      ['b.csv', 'loaded'],
    ]);
    expect(s.files[0].disposition).toMatch(/modified .* ago.*--min-age 60s/);
    expect(existsSync(a)).toBe(true);
  });
});

describe('pipeline batch: a gs:// object replaced while it is handled (GCS test server)', () => {
  const storeOptions = () => ({ apiEndpoint: servers().gcs.url, projectId: 'changing-project' });

  async function landing(bucket: string, files: Record<string, Buffer | string>) {
    const store = openStore(`gs://${bucket}/landing`, storeOptions());
    await store.ensureBucket();
    for (const [key, bytes] of Object.entries(files)) await store.putBuffer(key, bytes);
    return {
      store,
      archive: openStore(`gs://${bucket}/archive`, storeOptions()),
      opts: { source: `gs://${bucket}/landing`, archive: `gs://${bucket}/archive`, storeOptions: storeOptions() },
    };
  }

  it('replaced after listing: waiting, nothing loaded or moved; the next run loads the new version', async () => {
    const v1 = csvText(sampleRows(30, 11));
    const v2 = `${v1}${more}\n`;
    const { store, archive, opts } = await landing('changing-list', { 'a.csv': v1 });
    const db = join(tmp(), 'gcs-list.duckdb');
    changeAt('after-list', 'a.csv', async () => {
      await store.putBuffer('a.csv', v2);
    });
    const s = await runBatch({ ...opts, warehouse: `duckdb:${db}` });
    expect(s.files.map((f) => [f.key, f.status])).toEqual([['a.csv', 'waiting']]);
    expect((await archive.list()).objects).toEqual([]);
    onCheckpoint(undefined);
    const next = await runBatch({ ...opts, warehouse: `duckdb:${db}` });
    expect(next.files.map((f) => [f.key, f.status])).toEqual([['a.csv', 'loaded']]);
    expect((await archive.getBuffer('a.csv')).toString()).toBe(v2);
    await withDuckDB(db, async (w) => {
      const [log] = await logOf(w, 'gs://changing-list/landing/a.csv');
      expectLoadedAs(log, Buffer.from(v2), 37);
    });
  });

  it('replaced after the commit: the archive copy is the generation loaded; the new one is not deleted', async () => {
    const v1 = csvText(sampleRows(30, 12));
    const v2 = `${v1}${more}\n`;
    const { store, archive, opts } = await landing('changing-commit', { 'a.csv': v1 });
    const db = join(tmp(), 'gcs-commit.duckdb');
    changeAt('after-commit', 'a.csv', async () => {
      await store.putBuffer('a.csv', v2);
    });
    const s = await runBatch({ ...opts, warehouse: `duckdb:${db}` });
    expect(s.files[0].status).toBe('loaded');
    expect(s.files[0].disposition).toMatch(/changed since/);
    expect((await archive.getBuffer('a.csv')).toString()).toBe(v1);
    expect((await store.getBuffer('a.csv')).toString()).toBe(v2);
    await withDuckDB(db, async (w) => {
      const [log] = await logOf(w, 'gs://changing-commit/landing/a.csv');
      expectLoadedAs(log, Buffer.from(v1), 30);
    });
  });

  it('push-down to BigQuery: a Parquet object replaced before its load job is left waiting', async () => {
    const local = join(tmp(), 'push-down');
    const v1 = readFileSync(await writeParquet(join(local, 'v1.parquet'), sampleRows(20, 13)));
    const v2 = readFileSync(await writeParquet(join(local, 'v2.parquet'), sampleRows(25, 14)));
    const { store, archive, opts } = await landing('changing-bq', { 'p.parquet': v1 });
    const w = await BigQueryWarehouse.open({
      projectId: servers().bq.projectId,
      dataset: 'changing',
      endpoint: servers().bq.url,
    });
    changeAt('after-list', 'p.parquet', async () => {
      await store.putBuffer('p.parquet', v2);
    });
    const s = await runBatch({ ...opts, warehouse: w });
    expect(s.files.map((f) => [f.key, f.status])).toEqual([['p.parquet', 'waiting']]);
    expect(await rowsFrom(w, 'gs://changing-bq/landing/p.parquet')).toBe(0);
    onCheckpoint(undefined);
    const next = await runBatch({ ...opts, warehouse: w });
    expect(next.files.map((f) => [f.key, f.status, f.rowsRead])).toEqual([['p.parquet', 'loaded', 25]]);
    expect(await archive.getBuffer('p.parquet')).toEqual(v2);
    const [log] = await logOf(w, 'gs://changing-bq/landing/p.parquet');
    expectLoadedAs(log, v2, 25);
  });
});
