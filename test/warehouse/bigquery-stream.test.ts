/**
 * The BigQuery stream path beyond the contract: micro-batches staged through
 * the Storage Write API survive its faults (UNAVAILABLE, answers lost after the
 * rows landed) once each, through offsets; several consumers committing the
 * same events at the same moment never insert a transaction_id twice (their
 * transactions conflict on the commit lock, the aborted one runs again), and
 * neither do gold refreshes of one minute; staged rows a dead consumer left are
 * cleaned; what the API refuses is terminal, with its reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SalesflowError } from '../../shared/errors.ts';
import { BigQueryWarehouse } from '../../warehouse/bigquery-warehouse.ts';
import { STREAM_STAGE_FIELDS } from '../../warehouse/stream.ts';
import { type RunningBigQueryServer, startBigQueryServer } from '../util/bigquery-server/index.ts';
import { type BigQueryStorageServer, startBigQueryStorageServer } from '../util/bigquery-storage-server/index.ts';
import { sampleRows } from './fixtures.ts';
import { event, reject, SOURCE } from './stream-contract.ts';

const PROJECT = 'stream-bq';
let bq: RunningBigQueryServer;
let storage: BigQueryStorageServer;
const handles: BigQueryWarehouse[] = [];

beforeAll(async () => {
  bq = await startBigQueryServer({ projectId: PROJECT });
  storage = await startBigQueryStorageServer({ bigquery: bq });
});

afterAll(async () => {
  for (const h of handles) await h.close();
  await storage?.stop();
  await bq?.stop();
});

/** A handle on `dataset` (ensured), as one consumer process holds it. */
async function consumer(dataset: string): Promise<BigQueryWarehouse> {
  const w = await BigQueryWarehouse.open({
    projectId: PROJECT,
    dataset,
    endpoint: bq.url,
    storageEndpoint: storage.endpoint,
  });
  handles.push(w);
  await w.ensure();
  return w;
}

const count = async (w: BigQueryWarehouse, sql: string) => Number((await w.query(sql)).rows[0].n);

/** Hold the first transaction script reaching `index` whose SQL matches, until a concurrent one was aborted. */
function holdFirstUntilAnAbort(match: RegExp, index: number): void {
  const tracker = bq.server.transactions;
  const abortsBefore = tracker.aborted;
  let held: string | undefined;
  bq.server.beforeTransactionStatement = async ({ jobId, index: i, sql }) => {
    if (held === undefined && i === index && match.test(sql)) {
      held = jobId;
      await tracker.abortedAtLeast(abortsBefore + 1);
    }
  };
}

describe('BigQuery stream commits (Storage Write API)', () => {
  it('under UNAVAILABLE and lost answers, every micro-batch lands once: retries at the same offset, one stream', async () => {
    const w = await consumer('faults');
    const t0 = Date.parse('2031-03-01T10:00:00.123Z');
    const sales = sampleRows(240, 40);
    const before = { ...storage.stats };
    storage.setFaults({ unavailable: 0.2, lostResponse: 0.25, targets: ['append'], seed: 7 });
    let silver = 0;
    try {
      for (let b = 0; b < 12; b++) {
        const events = sales.slice(b * 20, b * 20 + 20).map((r, i) => event(r, `f-${b}-${i}`, t0 + b * 1000 + i));
        // The largest INT64 customer id: exact only as a decimal string, never as a JavaScript number.
        if (b === 0) events[0] = { ...events[0], record: { ...events[0].record, customer_id: 9223372036854775807n } };
        const r = await w.commitStreamBatch({ events, rejects: [reject(`f-${b}-x`, t0 + b, 'nope')], source: SOURCE });
        silver += r.silver;
        expect(r).toMatchObject({ bronze: 20, quarantined: 1, redelivered: 0, duplicates: 0 });
      }
    } finally {
      storage.setFaults(undefined);
    }
    expect(silver).toBe(240);
    const stats = w.streamStageStats();
    expect(storage.stats.injectedUnavailable - before.injectedUnavailable).toBeGreaterThan(0);
    expect(storage.stats.lostResponses - before.lostResponses).toBeGreaterThan(0);
    // A lost answer is retried at the same offset and answered ALREADY_EXISTS: the rows had landed, once.
    expect(stats?.alreadyWritten).toBeGreaterThan(0);
    expect(stats?.retries).toBeGreaterThanOrEqual((stats?.alreadyWritten ?? 0) + 1);
    expect(stats?.streamsCreated).toBe(1);
    expect(await count(w, 'SELECT COUNT(*) AS n FROM silver_sales')).toBe(240);
    expect(await count(w, 'SELECT COUNT(DISTINCT transaction_id) AS n FROM silver_sales')).toBe(240);
    expect(await count(w, 'SELECT COUNT(*) AS n FROM bronze_sales')).toBe(240);
    expect(await count(w, 'SELECT COUNT(*) AS n FROM quarantine_sales')).toBe(12);
    // Staged rows go with their commit.
    expect(await count(w, 'SELECT COUNT(*) AS n FROM stream_stage')).toBe(0);
    // TIMESTAMPs went as microseconds: the milliseconds are exact (as milliseconds they would be January 1970).
    const first = await w.query(
      "SELECT b._publish_time, s.customer_id FROM silver_sales s JOIN bronze_sales b USING (_message_id) WHERE _message_id = 'f-0-0'",
    );
    expect(first.rows[0]).toEqual({ _publish_time: '2031-03-01T10:00:00.123000Z', customer_id: '9223372036854775807' });
  });

  it('two consumers committing the same events at once: one transaction is aborted and runs again; silver has each sale once', async () => {
    const a = await consumer('race');
    const b = await consumer('race');
    const t0 = Date.parse('2031-03-02T08:00:00Z');
    const sales = sampleRows(30, 41);
    // The same sales reach both consumers: some messages redelivered (same id), some re-published (new id).
    const toA = sales.map((r, i) => event(r, `r-${i}`, t0 + i));
    const toB = sales.map((r, i) => event(r, i % 2 === 0 ? `r-${i}` : `r-${i}-again`, t0 + 100 + i));
    // The first transaction to reach its verdicts (statement 2, after the lock) waits there until the
    // other one was aborted: both are open at once, on snapshots where silver has none of these sales.
    holdFirstUntilAnAbort(/stream_batch/, 2);
    try {
      const [ra, rb] = await Promise.all([
        a.commitStreamBatch({ events: toA, rejects: [], source: SOURCE }),
        b.commitStreamBatch({ events: toB, rejects: [], source: SOURCE }),
      ]);
      expect(ra.silver + rb.silver).toBe(30);
      expect(ra.duplicates + rb.duplicates).toBe(30);
    } finally {
      bq.server.beforeTransactionStatement = undefined;
    }
    expect(a.transactionRetries + b.transactionRetries).toBeGreaterThanOrEqual(1);
    expect(await count(a, 'SELECT COUNT(*) AS n FROM silver_sales')).toBe(30);
    expect(await count(a, 'SELECT COUNT(DISTINCT transaction_id) AS n FROM silver_sales')).toBe(30);
    // Bronze: every distinct message once (15 shared ids, 15 + 15 of each side's own).
    expect(await count(a, 'SELECT COUNT(*) AS n FROM bronze_sales')).toBe(45);
    expect(await count(a, 'SELECT COUNT(DISTINCT _message_id) AS n FROM bronze_sales')).toBe(45);
  });

  it('gold refreshes of one minute from two consumers at once: one row per region, the totals of silver', async () => {
    const a = await consumer('gold_race');
    const b = await consumer('gold_race');
    const m0 = Date.parse('2031-03-03T09:15:00Z');
    const sales = sampleRows(24, 42);
    await a.commitStreamBatch({
      events: sales.map((r, i) => event(r, `g-${i}`, m0 + i * 1000, m0 + i * 1000)),
      rejects: [],
      source: SOURCE,
    });
    // Both find the minute's rows absent from gold; without the lock both would insert them.
    holdFirstUntilAnAbort(/gold_changes/, 2);
    try {
      const changed = await Promise.all([
        a.refreshMinuteTotals({ minutes: [m0] }),
        b.refreshMinuteTotals({ minutes: [m0] }),
      ]);
      const regions = new Set(sales.map((r) => r.region)).size;
      expect(changed.sort()).toEqual([0, regions]);
    } finally {
      bq.server.beforeTransactionStatement = undefined;
    }
    const gold = await a.query(
      'SELECT sales_region, COUNT(*) AS n, SUM(transactions) AS t FROM gold_sales_per_minute GROUP BY 1 ORDER BY 1',
    );
    const expected = new Map<string, number>();
    for (const r of sales) expected.set(r.region, (expected.get(r.region) ?? 0) + 1);
    expect(gold.rows).toEqual(
      [...expected.entries()]
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([region, t]) => ({ sales_region: region, n: 1, t })),
    );
  });

  it('a consumer that dies between staging and committing leaves staged rows nobody commits; the next commit deletes them once stale', async () => {
    const dead = await consumer('orphans');
    const alive = await consumer('orphans');
    const t0 = Date.parse('2031-03-04T00:00:00Z');
    const events = sampleRows(5, 43).map((r, i) => event(r, `o-${i}`, t0 + i));
    const crash = new Error('killed');
    await expect(
      dead.commitStreamBatch({
        events,
        rejects: [],
        source: SOURCE,
        beforeCommit: () => {
          throw crash;
        },
      }),
    ).rejects.toBe(crash);
    expect(await count(alive, 'SELECT COUNT(*) AS n FROM stream_stage')).toBe(5);
    expect(await count(alive, 'SELECT COUNT(*) AS n FROM silver_sales')).toBe(0);
    // Redelivered to the other consumer: committed once; the dead one's rows are not an hour old yet.
    expect((await alive.commitStreamBatch({ events, rejects: [], source: SOURCE })).silver).toBe(5);
    expect(await count(alive, 'SELECT COUNT(*) AS n FROM stream_stage')).toBe(5);
    await alive.run("UPDATE stream_stage SET _staged_at = TIMESTAMP '2001-01-01 00:00:00' WHERE TRUE");
    await alive.commitStreamBatch({ events: [], rejects: [reject('o-x', t0, '{')], source: SOURCE });
    expect(await count(alive, 'SELECT COUNT(*) AS n FROM stream_stage')).toBe(0);
    expect(await count(alive, 'SELECT COUNT(*) AS n FROM silver_sales')).toBe(5);
  });

  it('a stage table without a column the writer sends: refused by the API (SCHEMA_MISMATCH_EXTRA_FIELDS), terminal', async () => {
    const w = await consumer('narrow');
    await w.createTable(
      'stream_stage',
      STREAM_STAGE_FIELDS.filter((f) => f.name !== '_attributes'),
      { replace: true },
    );
    const err = await w
      .commitStreamBatch({ events: [], rejects: [reject('n-1', Date.now(), 'x')], source: SOURCE })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SalesflowError);
    expect((err as SalesflowError).transient).toBe(false);
    expect((err as Error).message).toMatch(/_attributes[\s\S]*SCHEMA_MISMATCH_EXTRA_FIELDS/);
  });
});
