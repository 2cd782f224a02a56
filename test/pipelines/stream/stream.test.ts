/**
 * pipeline stream as a library, on the Pub/Sub emulator (one per file) and a
 * DuckDB file — or the BigQuery test server behind a proxy that can be cut, for
 * a warehouse that goes down: poison, duplicates of every origin, late data and
 * gold per minute, transient failures, and the dead-letter policy.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBatch } from '../../../pipelines/batch/run-batch.ts';
import { runStream, startStream } from '../../../pipelines/stream/run-stream.ts';
import { readSalesFile } from '../../../transform/read-sales.ts';
import { BigQueryWarehouse } from '../../../warehouse/bigquery-warehouse.ts';
import { DuckDBWarehouse } from '../../../warehouse/duckdb-warehouse.ts';
import { startBigQueryServer } from '../../util/bigquery-server/index.ts';
import { startBigQueryStorageServer } from '../../util/bigquery-storage-server/index.ts';
import { startTcpProxy, type TcpProxy } from '../../util/tcp-proxy.ts';
import { useTempDir } from '../../util/tmp.ts';
import {
  eventCondition,
  goldFromSilver,
  type OutgoingMessage,
  publishAll,
  saleMessage,
  salesJson,
  sampleRows,
  streamSnapshot,
  uniqueProjectId,
  useEmulator,
  waitFor,
} from './fixtures.ts';

const PROJECT = uniqueProjectId('stream-test');
const pubsub = useEmulator(PROJECT);
const tmp = useTempDir('salesflow-stream-');
const sub = (name: string) => `projects/${PROJECT}/subscriptions/${name}`;

const withDuckDB = async <T>(path: string, fn: (w: DuckDBWarehouse) => Promise<T>) => {
  const w = await DuckDBWarehouse.open(path);
  try {
    return await fn(w);
  } finally {
    await w.close();
  }
};

/**
 * A BigQuery test server behind a proxy the test can cut; the warehouse reaches it with no client retries
 * (the Storage Write API server beside it stays up: staged batches wait for a commit that cannot run).
 */
async function withWarehouseBehindProxy(
  projectId: string,
  fn: (warehouse: BigQueryWarehouse, proxy: TcpProxy) => Promise<void>,
): Promise<void> {
  const bq = await startBigQueryServer({ projectId });
  const storage = await startBigQueryStorageServer({ bigquery: bq });
  const proxy = await startTcpProxy(Number(new URL(bq.url).port));
  const warehouse = await BigQueryWarehouse.open({
    projectId,
    dataset: 'sales',
    endpoint: proxy.url,
    storageEndpoint: storage.endpoint,
    maxRetries: 0,
  });
  try {
    await fn(warehouse, proxy);
  } finally {
    await warehouse.close();
    await proxy.stop();
    await storage.stop();
    await bq.stop();
  }
}

// Each test has its own topic, subscriptions and warehouse: they run at once, overlapping their waits on Pub/Sub.
describe.concurrent('pipeline stream', { timeout: 120_000 }, () => {
  it('quarantines every kind of poison with its payload, attributes and the NDJSON verdict, and acks it', async () => {
    const topic = await pubsub().topic('poison', ['poison-sub']);
    const now = Date.now();
    const good = sampleRows(3, 50);
    const base = salesJson(sampleRows(1, 51)[0]);
    const json = (o: unknown) => Buffer.from(JSON.stringify(o));
    const poison: Record<string, Buffer> = {
      'not UTF-8': Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      'not JSON': Buffer.from('{"transaction_id": "TX-1",'),
      'an array': json([1, 2, 3]),
      'a number': Buffer.from('42'),
      'a string': Buffer.from('"TX-1"'),
      null: Buffer.from('null'),
      'missing field': json({ ...base, customer_id: undefined }),
      'wrong type': json({ ...base, sale_amount: true, customer_id: { id: 1 } }),
      'bad values': json({ ...base, transaction_date: '2024-02-30', sale_amount: '-5.00', sales_region: 'Atlantis' }),
      'unknown field': json({ ...base, discount: 5 }),
      'bad id': json({ ...base, transaction_id: 'TX 1; DROP TABLE silver_sales' }),
    };
    const attributes = { event_time: new Date(now).toISOString(), origin: 'poison-test' };
    const messages: OutgoingMessage[] = [
      ...good.map((r) => saleMessage(r, now)),
      ...Object.values(poison).map((data) => ({ data, attributes })),
      { data: Buffer.alloc(0), attributes }, // no data at all
    ];
    const ids = await publishAll(topic, messages);
    const db = join(tmp(), 'poison.duckdb');
    const summary = await runStream({
      subscription: sub('poison-sub'),
      warehouse: `duckdb:${db}`,
      maxMessages: messages.length,
      client: pubsub().client,
    });
    expect(summary).toMatchObject({ received: messages.length, silver: 3, quarantined: messages.length - 3 });
    expect(summary.acked).toBe(messages.length);

    // The verdicts of the same bytes as lines of an NDJSON file (the empty message has no line of its own).
    const ndjson = join(tmp(), 'poison.ndjson');
    writeFileSync(ndjson, Buffer.concat(Object.values(poison).flatMap((b) => [b, Buffer.from('\n')])));
    const fileReasons: string[] = [];
    for await (const batch of readSalesFile(ndjson)) for (const r of batch.rejects) fileReasons.push(r.reason);

    await withDuckDB(db, async (w) => {
      const rows = (
        await w.query(
          'SELECT _message_id, raw_row, _payload_encoding, _attributes, reasons, _publish_time FROM quarantine_sales',
        )
      ).rows;
      const byId = new Map(rows.map((r) => [r._message_id, r]));
      const poisonIds = ids.slice(3);
      expect(rows).toHaveLength(poisonIds.length);
      Object.values(poison).forEach((bytes, i) => {
        const row = byId.get(poisonIds[i]);
        expect(row?.reasons, Object.keys(poison)[i]).toBe(fileReasons[i]);
        const kept =
          row?._payload_encoding === 'base64'
            ? Buffer.from(String(row?.raw_row), 'base64')
            : Buffer.from(String(row?.raw_row));
        expect(kept.equals(bytes), Object.keys(poison)[i]).toBe(true);
        expect(JSON.parse(String(row?._attributes))).toEqual(attributes);
        expect(row?._publish_time).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      });
      expect(byId.get(poisonIds[0])?._payload_encoding).toBe('base64');
      expect(byId.get(ids[ids.length - 1])?.reasons).toMatch(/not valid JSON/);
      const silver = (await w.query('SELECT transaction_id FROM silver_sales ORDER BY 1')).rows;
      expect(silver.map((r) => r.transaction_id)).toEqual(good.map((r) => r.id).sort());
    });
  });

  it('loads each sale once: re-published, redelivered, or already loaded by the batch pipeline', async () => {
    const topic = await pubsub().topic('dups', ['dups-a', 'dups-b']);
    const root = tmp();
    const db = join(root, 'dups.duckdb');
    // The batch pipeline loaded these first.
    const loaded = sampleRows(5, 60);
    mkdirSync(join(root, 'landing'));
    writeFileSync(
      join(root, 'landing', 'sales.ndjson'),
      `${loaded.map((r) => JSON.stringify(salesJson(r))).join('\n')}\n`,
    );
    const batch = await runBatch({ source: join(root, 'landing'), warehouse: `duckdb:${db}` });
    expect(batch.rowsLoaded).toBe(5);

    const now = Date.now();
    const fresh = sampleRows(10, 61);
    const messages = [
      ...fresh.map((r) => saleMessage(r, now)),
      ...fresh.slice(0, 3).map((r) => saleMessage(r, now)), // re-published
      ...loaded.slice(0, 3).map((r) => saleMessage(r, now)), // already in silver from a file
    ];
    await publishAll(topic, messages);
    const consume = (subscription: string) =>
      runStream({
        subscription: sub(subscription),
        warehouse: `duckdb:${db}`,
        maxMessages: messages.length,
        client: pubsub().client,
      });
    expect(await consume('dups-a')).toMatchObject({
      bronze: 16,
      silver: 10,
      duplicates: 6,
      quarantined: 0,
      redelivered: 0,
    });
    // The same messages (same ids) once more, as after an ack that never reached Pub/Sub.
    expect(await consume('dups-b')).toMatchObject({
      bronze: 0,
      silver: 0,
      duplicates: 16,
      quarantined: 0,
      redelivered: 16,
    });

    await withDuckDB(db, async (w) => {
      const silver = (await w.query('SELECT transaction_id, _source_file FROM silver_sales ORDER BY 1')).rows;
      expect(silver.map((r) => r.transaction_id)).toEqual([...loaded, ...fresh].map((r) => r.id).sort());
      // The batch-loaded rows keep their origin.
      for (const r of silver) {
        expect(String(r._source_file)).toMatch(loaded.some((l) => l.id === r.transaction_id) ? /landing/ : /dups-a/);
      }
      expect((await w.query('SELECT COUNT(*) AS n FROM bronze_sales WHERE _message_id IS NOT NULL')).rows[0].n).toBe(
        16,
      );
    });
  });

  it('counts events past the allowed lateness as late, keeps them in silver, and gold matches silver per minute', async () => {
    const topic = await pubsub().topic('late', ['late-sub']);
    const db = join(tmp(), 'late.duckdb');
    const onTime = sampleRows(20, 70);
    const late = sampleRows(4, 71);
    const onTimeCommitted = eventCondition(() => handle.status().committed >= onTime.length);
    const handle = startStream({
      subscription: sub('late-sub'),
      warehouse: `duckdb:${db}`,
      maxMessages: onTime.length + late.length,
      allowedLatenessSeconds: 60,
      onCommitted: onTimeCommitted.notify,
      client: pubsub().client,
    });
    await publishAll(
      topic,
      onTime.map((r) => saleMessage(r, Date.now())),
    );
    // The on-time events moved the watermark to about now; then events from 10 minutes ago arrive.
    await onTimeCommitted.wait('the on-time events to commit');
    const tenMinutesAgo = Date.now() - 10 * 60_000;
    await publishAll(
      topic,
      late.map((r) => saleMessage(r, tenMinutesAgo)),
    );
    const summary = await handle.done;
    expect(summary).toMatchObject({ silver: 24, late: 4, duplicates: 0 });
    await withDuckDB(db, async (w) => {
      const lateInSilver = await w.query('SELECT COUNT(*) AS n FROM silver_sales WHERE _event_time < @t', {
        params: { t: { type: 'TIMESTAMP', value: new Date(tenMinutesAgo + 60_000).toISOString() } },
      });
      expect(lateInSilver.rows[0].n).toBe(4);
      // Every minute's panes (on time, late, and the late events' own minute) leave gold equal to silver.
      const gold = (await streamSnapshot(w)).gold;
      expect(gold).toEqual(await goldFromSilver(w));
      expect(gold.length).toBeGreaterThan(0);
    });
  });

  it('warehouse down: nothing is acked, Pub/Sub redelivers, and every event is loaded once when it is back', async () => {
    const topic = await pubsub().topic('outage', ['outage-sub']);
    await withWarehouseBehindProxy('outage-project', async (warehouse, proxy) => {
      const rows = sampleRows(30, 80);
      const twoRetries = eventCondition(() => handle.status().retries >= 2);
      const handle = startStream({
        subscription: sub('outage-sub'),
        warehouse,
        maxMessages: rows.length,
        commitAttempts: 1,
        retryDelayMs: { first: 50, max: 400 },
        onRetry: twoRetries.notify,
        client: pubsub().client,
      });
      await waitFor(() => handle.status().state === 'running', 'the stream to start');
      proxy.cut();
      await publishAll(
        topic,
        rows.map((r) => saleMessage(r, Date.now())),
      );
      await twoRetries.wait('two failed attempts while the warehouse is down');
      expect(handle.status().committed).toBe(0);
      proxy.restore();
      const summary = await handle.done;
      expect(summary).toMatchObject({ silver: 30, bronze: 30, duplicates: 0 });
      expect(summary.retries).toBeGreaterThanOrEqual(2);
      const silver = await warehouse.query(
        'SELECT transaction_id, COUNT(*) AS n FROM silver_sales GROUP BY 1 ORDER BY 1',
      );
      expect(silver.rows).toEqual(
        rows
          .map((r) => ({ transaction_id: r.id, n: 1 }))
          .sort((a, b) => a.transaction_id.localeCompare(b.transaction_id)),
      );
    });
  });

  it('dead-letter policy: a message that keeps failing ends on the dead-letter topic, not lost', async () => {
    const client = pubsub().client;
    await client.createTopic('doomed');
    await withWarehouseBehindProxy('doomed-project', async (warehouse, proxy) => {
      const drain = new AbortController();
      const handle = startStream({
        subscription: sub('doomed-sub'),
        warehouse,
        create: { topic: 'doomed', deadLetterTopic: 'doomed-dead', maxDeliveryAttempts: 5 },
        project: PROJECT,
        commitAttempts: 1,
        retryDelayMs: { first: 20, max: 100 },
        drainSignal: drain.signal,
        client,
      });
      try {
        await waitFor(() => handle.status().state === 'running', 'the stream to start');
        proxy.cut();
        const sent = sampleRows(3, 90).map((r) => saleMessage(r, Date.now()));
        await publishAll(client.topic('doomed'), sent);
        // The policy made the dead-letter subscription (doomed-dead-sub) next to the topic.
        const dead = client.subscription('doomed-dead-sub');
        const arrived = new Set<string>();
        dead.on('message', (m) => {
          arrived.add(m.data.toString());
          m.ack();
        });
        await waitFor(() => arrived.size === sent.length, 'the messages on the dead-letter subscription', 45_000);
        await dead.close();
        expect([...arrived].sort()).toEqual(sent.map((m) => m.data.toString()).sort());
        expect(handle.status().retries).toBeGreaterThanOrEqual(4);
        expect(handle.status().committed).toBe(0);
      } finally {
        drain.abort();
        await handle.done;
      }
    });
  });
});
