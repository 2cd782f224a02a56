/**
 * `salesflow pipeline stream` as a process on the emulator: killed (SIGKILL) in
 * the middle of a commit and between a commit and its acks, then started
 * again, it ends with the same warehouse as an uninterrupted run; SIGTERM drains
 * (everything received is committed and acked, nothing twice); $PORT answers
 * health checks; a second stream on the same DuckDB file is refused clearly.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishEvents } from '../../../generator/publish.ts';
import { runStream, startStream } from '../../../pipelines/stream/run-stream.ts';
import { freePort } from '../../../shared/pubsub/index.ts';
import { DuckDBWarehouse } from '../../../warehouse/duckdb-warehouse.ts';
import { runSalesflow, startSalesflow } from '../../util/cli.ts';
import { useTempDir } from '../../util/tmp.ts';
import { streamSnapshot, uniqueProjectId, useEmulator, waitFor } from './fixtures.ts';

const PROJECT = uniqueProjectId('stream-process');
const pubsub = useEmulator(PROJECT);
const tmp = useTempDir('salesflow-stream-process-');
const sub = (name: string) => `projects/${PROJECT}/subscriptions/${name}`;

async function readDb<T>(path: string, fn: (w: DuckDBWarehouse) => Promise<T>): Promise<T> {
  const w = await DuckDBWarehouse.open(path);
  try {
    return await fn(w);
  } finally {
    await w.close();
  }
}

/** Distinct messages a warehouse holds (bronze and quarantine). */
const committedMessages = (path: string) =>
  readDb(path, async (w) => {
    const r = await w.query(
      'SELECT (SELECT COUNT(*) FROM bronze_sales) + (SELECT COUNT(*) FROM quarantine_sales) AS n',
    );
    return Number(r.rows[0].n);
  });

async function health(port: number): Promise<Record<string, unknown> | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    return (await res.json()) as Record<string, unknown>;
  } catch {
    return undefined; // not listening yet
  }
}

const streamArgs = (subscription: string, db: string, ...more: string[]) => [
  'pipeline',
  'stream',
  '-s',
  sub(subscription),
  '-w',
  `duckdb:${db}`,
  ...more,
];

// Each test has its own topic, subscriptions and files: they run at once, overlapping their waits on redelivery.
describe.concurrent('pipeline stream (process)', () => {
  it('killed mid-commit or before its acks, then restarted: the warehouse equals an uninterrupted run’s', async () => {
    const env = pubsub().emulator.env;
    await pubsub().topic('crash', ['crash-a', 'crash-b', 'crash-base']);
    const published = await publishEvents({
      topic: `projects/${PROJECT}/topics/crash`,
      rows: 1200,
      rate: 0,
      seed: 5,
      duplicates: 0.05,
      invalid: 0.03,
      late: 0.05,
      client: pubsub().client,
    });
    const total = published.published;
    expect(total).toBe(1200);
    const dir = tmp();
    const db = { a: join(dir, 'a.duckdb'), b: join(dir, 'b.duckdb'), base: join(dir, 'base.duckdb') };

    // Crash a inside its 2nd transaction, b after its 2nd COMMIT (before the acks), while an
    // uninterrupted run reads a third subscription of the same topic.
    const crashed = Promise.all([
      runSalesflow(streamArgs('crash-a', db.a, '--max-batch', '200'), {
        env: { ...env, SALESFLOW_CRASH_AT: 'stream-mid-commit@2' },
      }),
      runSalesflow(streamArgs('crash-b', db.b, '--max-batch', '200'), {
        env: { ...env, SALESFLOW_CRASH_AT: 'stream-after-commit@2' },
      }),
    ]);
    const baseline = runStream({
      subscription: sub('crash-base'),
      warehouse: `duckdb:${db.base}`,
      maxMessages: total,
      maxBatch: 200,
      client: pubsub().client,
    });
    for (const r of await crashed) expect(r.code, r.stderr).toBe(null); // killed, not exited
    expect((await baseline).committed).toBe(total);
    const before = { a: await committedMessages(db.a), b: await committedMessages(db.b) };
    // Each committed something before it died, not everything (a micro-batch may hold two source batches).
    for (const n of [before.a, before.b]) {
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThan(total);
    }

    // Restart a as a process (health on $PORT, drained by SIGTERM), b in-process.
    const port = await freePort();
    const a2 = startSalesflow(streamArgs('crash-a', db.a), { env: { ...env, PORT: String(port) } });
    const b2Drain = new AbortController();
    const b2 = startStream({
      subscription: sub('crash-b'),
      warehouse: `duckdb:${db.b}`,
      drainSignal: b2Drain.signal,
      client: pubsub().client,
    });
    const drainB = () => b2.status().bronze + b2.status().quarantined >= total - before.b;
    await waitFor(
      async () => {
        const s = await health(port);
        return s !== undefined && Number(s.bronze) + Number(s.quarantined) >= total - before.a;
      },
      'the restarted process to commit the rest',
      60_000,
    );
    a2.kill('SIGTERM');
    await waitFor(drainB, 'the restarted library run to commit the rest', 60_000);
    const a2Result = await a2.exited;
    expect([0, 3], a2Result.stderr).toContain(a2Result.code);
    expect(a2Result.stdout).toMatch(/stopped by drain/);
    // b: its 2nd batch was committed but not acked, so it came back, and added nothing.
    b2Drain.abort();
    const bSummary = await b2.done;
    expect(bSummary.redelivered).toBeGreaterThan(0);

    const expected = await readDb(db.base, streamSnapshot);
    expect(await readDb(db.a, streamSnapshot)).toEqual(expected);
    expect(await readDb(db.b, streamSnapshot)).toEqual(expected);
    expect(expected.silver.length).toBe(published.sales + published.late);
    expect(expected.quarantine.length).toBe(published.invalid);
  }, 180_000);

  it('SIGTERM drains: what was received is committed and acked, the rest stays queued; a second stream on the file is refused', async () => {
    const env = pubsub().emulator.env;
    await pubsub().topic('drain', ['drain-sub']);
    const db = join(tmp(), 'drain.duckdb');
    const port = await freePort();
    const stream = startSalesflow(streamArgs('drain-sub', db), { env: { ...env, PORT: String(port) } });
    await waitFor(async () => (await health(port))?.state === 'running', 'the stream to run', 60_000);
    // The publisher as a process too: 2,000 clean events at 1,000/s.
    const publisher = runSalesflow(
      [
        'publish',
        '-t',
        `projects/${PROJECT}/topics/drain`,
        '-n',
        '2000',
        '-r',
        '1000',
        '--duplicates',
        '0',
        '--invalid',
        '0',
        '--late',
        '0',
      ],
      { env },
    );

    // DuckDB takes one process per file: a second stream is refused at once, naming the holder.
    const second = await runSalesflow(streamArgs('drain-sub', db, '--until-idle', '1s'), { env });
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toMatch(
      /in use by another process \(PID \d+[^)]*\)[\s\S]*one pipeline stream per warehouse file/,
    );

    await waitFor(async () => Number((await health(port))?.received ?? 0) >= 300, 'some events to arrive', 60_000);
    stream.kill('SIGTERM');
    const drained = await stream.exited;
    expect(drained.code, drained.stderr).toBe(0);
    const m = /stream: ([\d,]+) messages .*stopped by drain[\s\S]*silver \+([\d,]+)[\s\S]*acked ([\d,]+)/.exec(
      drained.stdout,
    );
    expect(m, drained.stdout).not.toBeNull();
    const [received, silver, acked] = (m as RegExpExecArray).slice(1).map((x) => Number(x.replaceAll(',', '')));
    expect(received).toBeGreaterThanOrEqual(300);
    expect(silver).toBe(received);
    expect(acked).toBe(received);
    expect(await committedMessages(db)).toBe(received);

    const published = await publisher;
    expect(published.code, published.stderr).toBe(0);
    expect(published.stdout).toMatch(
      new RegExp(
        `published 2,000 messages to projects/${PROJECT}/topics/drain .*: 2,000 sales \\(0 late\\), 0 duplicates, 0 invalid`,
      ),
    );
    // The rest was never received, or handed back: the next run takes it, and nothing comes twice.
    const rest = await runStream({
      subscription: sub('drain-sub'),
      warehouse: `duckdb:${db}`,
      maxMessages: 2000 - received,
      client: pubsub().client,
    });
    expect(rest).toMatchObject({ silver: 2000 - received, redelivered: 0, duplicates: 0 });
    expect(await committedMessages(db)).toBe(2000);
  }, 180_000);
});
