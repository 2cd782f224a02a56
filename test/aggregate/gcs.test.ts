/** gs:// lakes on the local engines: mirrored through the object store (GCS test server), then read. */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { lakeUris } from '../../aggregate/engines/bigquery.ts';
import { finishReport } from '../../aggregate/groups.ts';
import { buildQueries } from '../../aggregate/query.ts';
import { aggregate } from '../../aggregate/run.ts';
import { ConflictError, TransientError } from '../../shared/errors.ts';
import { openStore } from '../../shared/storage/index.ts';
import type { SalesRecord } from '../../shared/schema/index.ts';
import { type GcsServer, startGcsServer } from '../util/gcs-server/index.ts';
import { generateSales, writeSalesLake } from '../util/sales-lake.ts';
import { oracleGroups } from '../util/sales-oracle.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-aggregate-gcs-');
let server: GcsServer;
let records: SalesRecord[];
const uri = 'gs://sales-lake/lakes/v1';

beforeAll(async () => {
  server = await startGcsServer();
  records = generateSales(4_000, 5);
  const lake = join(tmp(), 'lake');
  await writeSalesLake(records, join(tmp(), 'sales.csv'), lake);
  const store = openStore(uri, { apiEndpoint: server.url });
  await store.ensureBucket();
  for (const rel of readdirSync(lake, { recursive: true, encoding: 'utf8' })) {
    if (rel.endsWith('.parquet')) await store.putFile(rel, join(lake, rel));
  }
  await store.putBuffer('_SUCCESS', '');
  await store.putBuffer('.part-9.parquet.tmp-1', 'half-written upload');
});
afterAll(async () => {
  await server.stop();
});

it.each([['duckdb'], ['arrow']] as const)('%s reads a gs:// lake through the local cache', async (engine) => {
  const cacheDir = join(tmp(), `cache-${engine}`);
  const queries = buildQueries({ by: ['region', 'category'], metrics: 'sum,avg,count' });
  const want = finishReport(queries[0], oracleGroups(records, queries[0]));
  const run = () =>
    aggregate({ source: uri, engine, queries, cacheDir, workers: 0, store: { apiEndpoint: server.url } });

  const first = await run();
  expect(first.reports[0]).toEqual(want);
  expect(relative(cacheDir, first.readFrom)).toBe(join('sales-lake', 'lakes', 'v1'));
  expect(existsSync(join(first.readFrom, '.part-9.parquet.tmp-1'))).toBe(false);

  // A re-run fetches nothing (same size and CRC32C) and gives the same numbers.
  const before = server.stats.requests;
  const objectReads = () => server.stats.requests - before;
  expect((await run()).reports[0]).toEqual(want);
  expect(objectReads()).toBeLessThanOrEqual(2); // the listing (and nothing per file)

  // A file deleted from the bucket is dropped from the cache too, never double counted.
  const store = openStore(uri, { apiEndpoint: server.url });
  const north = (await store.list('sales_region=North')).objects[0].key;
  await store.delete(north);
  const third = await run();
  const remaining = records.filter((r) => r.sales_region !== 'North');
  expect(third.reports[0]).toEqual(finishReport(queries[0], oracleGroups(remaining, queries[0])));
  await store.putFile(north, join(tmp(), 'lake', north));
});

it.each([['duckdb'], ['arrow']] as const)(
  '%s reads a gs:// lake while the server answers 503/429 and cuts downloads, with no leftovers',
  async (engine) => {
    const cacheDir = join(tmp(), `faulty-cache-${engine}`);
    const queries = buildQueries({ by: ['region', 'category'], metrics: 'sum,avg,count' });
    const want = finishReport(queries[0], oracleGroups(records, queries[0]));
    const before = { ...server.stats };
    server.setFaults({ error503: 0.3, error429: 0.1, resetMidDownload: 0.3, seed: engine === 'duckdb' ? 5 : 6 });
    try {
      const got = await aggregate({
        source: uri,
        engine,
        queries,
        cacheDir,
        workers: 0,
        // Quick retries: the budget, not the delays, is under test.
        store: {
          apiEndpoint: server.url,
          retryOptions: { maxRetries: 10, retryDelayMultiplier: 1, maxRetryDelay: 0.05 },
        },
      });
      expect(got.reports[0]).toEqual(want);
    } finally {
      server.setFaults(undefined);
    }
    expect(server.stats.injected503 - before.injected503).toBeGreaterThan(0);
    expect(server.stats.downloadResets - before.downloadResets).toBeGreaterThan(0);
    const names = readdirSync(cacheDir, { recursive: true, encoding: 'utf8' });
    expect(names.filter((n) => n.includes('.tmp-'))).toEqual([]);
  },
);

it('a gs:// lake: copies outside its layout are neither fetched nor counted (local engines), nor listed for BigQuery', async () => {
  const nested = 'gs://sales-lake/lakes/nested';
  const store = openStore(nested, { apiEndpoint: server.url });
  const lake = join(tmp(), 'lake');
  const parts = readdirSync(lake, { recursive: true, encoding: 'utf8' }).filter((rel) => rel.endsWith('.parquet'));
  for (const rel of parts) {
    const key = rel.split(sep).join('/');
    await store.putFile(key, join(lake, rel));
    if (key.startsWith('sales_region=North/')) await store.putFile(key.replace('/', '/backup/'), join(lake, rel));
    if (key.startsWith('sales_region=East/')) await store.putFile(`old/${key}`, join(lake, rel));
  }
  const queries = buildQueries({ by: ['region'], metrics: 'sum,count' });
  const want = finishReport(queries[0], oracleGroups(records, queries[0]));
  for (const engine of ['duckdb', 'arrow'] as const) {
    const cacheDir = join(tmp(), `nested-cache-${engine}`);
    const got = await aggregate({
      source: nested,
      engine,
      queries,
      cacheDir,
      workers: 0,
      store: { apiEndpoint: server.url },
    });
    expect(got.reports[0], engine).toEqual(want);
    const cached = readdirSync(cacheDir, { recursive: true, encoding: 'utf8' });
    expect(
      cached.filter((n) => n.includes('backup') || n.startsWith(join('sales-lake', 'lakes', 'nested', 'old'))),
    ).toEqual([]);
  }
  const uris = await lakeUris(`${nested}/`, { apiEndpoint: server.url });
  expect(uris).toHaveLength(parts.length);
  expect(uris.filter((u) => u.includes('/backup/') || u.includes('/old/'))).toEqual([]);
});

it('never mirrors into (and prunes) a folder that is not a salesflow cache', async () => {
  // The user's own copy of a lake sits where the mirror of gs://sales-lake/lakes/v1 would go.
  const cacheDir = join(tmp(), 'not-a-cache');
  const mine = join(cacheDir, 'sales-lake', 'lakes', 'v1', 'sales_region=Mine', 'part-00000.parquet');
  mkdirSync(join(mine, '..'), { recursive: true });
  writeFileSync(mine, 'my own data');
  const queries = buildQueries({ by: ['region'], metrics: 'count' });
  const err = await aggregate({ source: uri, queries, cacheDir, store: { apiEndpoint: server.url } }).catch((e) => e);
  expect(err).toBeInstanceOf(ConflictError);
  expect(err.exitCode).toBe(2);
  expect(err.message).toContain(join(cacheDir, 'sales-lake', 'lakes', 'v1'));
  expect(readFileSync(mine, 'utf8')).toBe('my own data');
});

it('an object replaced while the lake is mirrored fails the run (transient), never mixes versions', async () => {
  const store = openStore(uri, { apiEndpoint: server.url });
  const keys = (await store.list('')).objects.map((o) => o.key).filter((k) => k.endsWith('.parquet'));
  const last = keys[keys.length - 1];
  const original = await store.getBuffer(last);
  const queries = buildQueries({ by: ['region'], metrics: 'count' });
  let replaced = false;
  const err = await aggregate({
    source: uri,
    queries,
    cacheDir: join(tmp(), 'cache-replaced'),
    store: { apiEndpoint: server.url },
    onProgress: (step) => {
      if (step !== 'fetch' || replaced) return;
      replaced = true;
      // Same bytes, new generation: still not the version listed.
      server.state.putObject({ bucket: 'sales-lake', name: `lakes/v1/${last}`, data: original });
    },
  }).catch((e) => e);
  expect(err).toBeInstanceOf(TransientError);
  expect(err.message).toMatch(/changed while it was being read/);
});
