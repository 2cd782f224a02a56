/**
 * Disposal never overwrites: a file landing again under a name already in the
 * archive (or the rejected area) with other bytes goes to its versioned name
 * beside it, the earlier copy stays, and load_log.moved_to says where each
 * version went; a re-run finishing an interrupted disposal finds its copy there
 * and makes no second one. On local folders and on the GCS test server (with
 * DuckDB, and pushed down to the BigQuery test server).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { onCheckpoint } from '../../../pipelines/crash.ts';
import { type BatchOptions, runBatch } from '../../../pipelines/batch/run-batch.ts';
import { type ObjectStore, openStore } from '../../../shared/storage/index.ts';
import { BigQueryWarehouse, type Warehouse } from '../../../warehouse/index.ts';
import { useCloudServers } from '../../util/cloud-servers.ts';
import { useTempDir } from '../../util/tmp.ts';
import { csvText, sampleRows, withDuckDB } from './fixtures.ts';

const tmp = useTempDir('salesflow-batch-dispose-');
const servers = useCloudServers('dispose-project');
afterEach(() => onCheckpoint(undefined));

const KEY = '2026-01-01/sales.csv';
const FIRST = csvText(sampleRows(20, 71));
const SECOND = csvText(sampleRows(25, 72));
// Rejected whole: no data rows, and all rows invalid.
const REJECTED_FIRST = csvText([]);
const REJECTED_SECOND = csvText([], ['bad,row']);

/** `2026-01-01/sales.csv` → `2026-01-01/sales.<first 16 hex of the MD5>.csv`. */
const versioned = (bytes: string) =>
  KEY.replace('.csv', `.${createHash('md5').update(bytes).digest('hex').slice(0, 16)}.csv`);

interface Areas {
  landing: ObjectStore;
  archive: ObjectStore;
  rejected: ObjectStore;
  opts: BatchOptions;
  /** load_log's (attempt, status, moved_to) of the landing file, in attempt order. */
  log: () => Promise<unknown[]>;
}

async function logOf(w: Warehouse, file: string): Promise<unknown[]> {
  const { rows } = await w.query(
    `SELECT attempt, status, moved_to FROM ${w.ref('load_log')} WHERE file = @f ORDER BY attempt`,
    { params: { f: file } },
  );
  return rows.map((r) => [r.attempt, r.status, r.moved_to]);
}

const gcsOptions = () => ({ apiEndpoint: servers().gcs.url, projectId: 'dispose-project' });

/** Landing, archive and rejected areas in one bucket of the GCS test server; the warehouse is the caller's. */
async function gcsAreas(
  bucket: string,
): Promise<Omit<Areas, 'log' | 'opts'> & { opts: Omit<BatchOptions, 'warehouse'> }> {
  const [landing, archive, rejected] = ['landing', 'archive', 'rejected'].map((d) =>
    openStore(`gs://${bucket}/${d}`, gcsOptions()),
  );
  await landing.ensureBucket();
  const opts = { source: landing.url, archive: archive.url, rejected: rejected.url, storeOptions: gcsOptions() };
  return { landing, archive, rejected, opts };
}

const kinds: [string, (name: string) => Promise<Areas>][] = [
  [
    'local folders (DuckDB)',
    async (name) => {
      const root = join(tmp(), name);
      const [landing, archive, rejected] = ['landing', 'archive', 'rejected'].map((d) => openStore(join(root, d)));
      await landing.ensureBucket();
      const db = join(root, 'w.duckdb');
      return {
        landing,
        archive,
        rejected,
        opts: { source: landing.url, archive: archive.url, rejected: rejected.url, warehouse: `duckdb:${db}` },
        log: () => withDuckDB(db, (w) => logOf(w, landing.uri(KEY))),
      };
    },
  ],
  [
    'gs:// on the GCS test server (DuckDB)',
    async (name) => {
      const areas = await gcsAreas(`dispose-${name}`);
      const db = join(tmp(), `${name}.duckdb`);
      return {
        ...areas,
        opts: { ...areas.opts, warehouse: `duckdb:${db}` },
        log: () => withDuckDB(db, (w) => logOf(w, areas.landing.uri(KEY))),
      };
    },
  ],
  [
    'gs:// pushed down to the BigQuery test server',
    async (name) => {
      const areas = await gcsAreas(`dispose-bq-${name}`);
      const w = await BigQueryWarehouse.open({
        projectId: servers().bq.projectId,
        dataset: `dispose_${name.replaceAll('-', '_')}`,
        endpoint: servers().bq.url,
      });
      return { ...areas, opts: { ...areas.opts, warehouse: w }, log: () => logOf(w, areas.landing.uri(KEY)) };
    },
  ],
];

async function keys(store: ObjectStore): Promise<string[]> {
  return (await store.list()).objects.map((o) => o.key).sort();
}

async function text(store: ObjectStore, key: string): Promise<string> {
  return (await store.getBuffer(key)).toString();
}

describe.each(kinds)('pipeline batch disposal on %s', (_kind, areas) => {
  it('a file landing again under an archived name with other bytes is archived beside it, both kept', async () => {
    const a = await areas('archive-twice');
    await a.landing.putBuffer(KEY, FIRST);
    const first = await runBatch(a.opts);
    expect(first.files.map((f) => [f.status, f.disposition])).toEqual([
      ['loaded', `archived to ${a.archive.uri(KEY)}`],
    ]);

    await a.landing.putBuffer(KEY, SECOND);
    const second = await runBatch(a.opts);
    expect(second.files.map((f) => [f.status, f.disposition])).toEqual([
      ['loaded', `archived to ${a.archive.uri(versioned(SECOND))} (${a.archive.uri(KEY)} holds other bytes)`],
    ]);
    expect(await keys(a.archive)).toEqual([versioned(SECOND), KEY].sort());
    expect(await text(a.archive, KEY)).toBe(FIRST);
    expect(await text(a.archive, versioned(SECOND))).toBe(SECOND);
    expect(await keys(a.landing)).toEqual([]);
    expect(await a.log()).toEqual([
      [1, 'loaded', a.archive.uri(KEY)],
      [2, 'loaded', a.archive.uri(versioned(SECOND))],
    ]);
  }, 60_000);

  it('rejected files of the same name with other bytes both stay in the rejected area', async () => {
    const a = await areas('reject-twice');
    await a.landing.putBuffer(KEY, REJECTED_FIRST);
    await runBatch(a.opts);
    await a.landing.putBuffer(KEY, REJECTED_SECOND);
    const second = await runBatch(a.opts);
    expect(second.files.map((f) => f.status)).toEqual(['rejected']);
    expect(await keys(a.rejected)).toEqual([versioned(REJECTED_SECOND), KEY].sort());
    expect(await text(a.rejected, KEY)).toBe(REJECTED_FIRST);
    expect(await text(a.rejected, versioned(REJECTED_SECOND))).toBe(REJECTED_SECOND);
    expect(await a.log()).toEqual([
      [1, 'rejected', a.rejected.uri(KEY)],
      [2, 'rejected', a.rejected.uri(versioned(REJECTED_SECOND))],
    ]);
  }, 60_000);

  it('a re-run after an interruption at mid-archive finds its copy (plain or versioned) and makes no second one', async () => {
    const a = await areas('mid-archive');
    // Stopped after the copy, before moved_to is recorded and the source deleted (what a crash there leaves).
    const interrupt = () =>
      onCheckpoint((point) => {
        if (point === 'mid-archive') throw new Error('interrupted at mid-archive');
      });
    for (const [bytes, key] of [
      [FIRST, KEY],
      [SECOND, versioned(SECOND)],
    ]) {
      await a.landing.putBuffer(KEY, bytes);
      interrupt();
      const stopped = await runBatch(a.opts);
      expect(stopped.undisposed).toEqual([KEY]);
      expect(await text(a.archive, key)).toBe(bytes);
      expect(await text(a.landing, KEY)).toBe(bytes);
      onCheckpoint(undefined);
      const rerun = await runBatch(a.opts);
      expect(rerun.files.map((f) => [f.alreadyDone, f.disposition])).toEqual([
        [true, expect.stringMatching(new RegExp(`^archived to ${a.archive.uri(key).replaceAll('.', '\\.')}`))],
      ]);
      expect(await keys(a.landing)).toEqual([]);
    }
    expect(await keys(a.archive)).toEqual([versioned(SECOND), KEY].sort());
    expect(await a.log()).toEqual([
      [1, 'loaded', a.archive.uri(KEY)],
      [2, 'loaded', a.archive.uri(versioned(SECOND))],
    ]);
  }, 60_000);
});
