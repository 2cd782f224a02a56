/**
 * stream: `salesflow pipeline stream` on the Pub/Sub emulator (one, started here,
 * for every suite), into DuckDB.
 *
 *   npm run bench -- stream          BENCH_STREAM_BACKLOG=20000 BENCH_STREAM_SECONDS=10 for a quick look
 *
 * (a) throughput: a backlog of BENCH_STREAM_BACKLOG (100k) events on one topic,
 *     one subscription per run, consumed by a bare subscriber that only acks
 *     (the ceiling: the same client and flow control, no work) and by the
 *     whole pipeline into a fresh DuckDB file; whole processes, alternated,
 *     median of BENCH_RUNS (3); ratio of events/s.
 * (b) latency: 2,000 events/s for BENCH_STREAM_SECONDS (60) from a `salesflow
 *     publish` process, the pipeline in this process: publish time (the
 *     emulator's) → committed to silver (after COMMIT), p50/p99 over every
 *     event; then the same for 20 s with fixed 2 s micro-batches (no early
 *     commit when idle), to show what the adaptive cadence buys.
 * (c) peak RSS of the pipeline processes in (a), each draining the whole backlog.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Message } from '@google-cloud/pubsub';
import { publishEvents } from '../generator/publish.ts';
import { startStream } from '../pipelines/stream/run-stream.ts';
import { formatTable } from '../shared/format.ts';
import { createPubSubClient, startPubSubEmulator } from '../shared/pubsub/index.ts';
import { BENCH_DATA, type Candidate, compare, NODE, REPO_ROOT, writeResult } from './util/measure.ts';

const PROJECT = 'salesflow-bench';
const BACKLOG = Number(process.env.BENCH_STREAM_BACKLOG ?? 100_000);
const SECONDS = Number(process.env.BENCH_STREAM_SECONDS ?? 60);
const RATE = 2000;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SELF = new URL(import.meta.url).pathname;
const MAX_BATCH = 5000;

/** The ceiling: the client with the pipeline's flow control, acking each message as it comes. */
async function bareSubscriber(subscription: string, count: number): Promise<void> {
  const client = createPubSubClient({ projectId: PROJECT });
  const sub = client.subscription(subscription, {
    flowControl: { maxMessages: 3 * MAX_BATCH, allowExcessMessages: false },
  });
  let acked = 0;
  await new Promise<void>((resolve, reject) => {
    sub.on('error', reject);
    sub.on('message', (m: Message) => {
      m.ack();
      if (++acked === count) resolve();
    });
  });
  await sub.close();
  await client.close();
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Pace RATE events/s for `seconds` from a publisher process; the pipeline here; latencies of every event. */
async function latency(
  env: Record<string, string>,
  name: string,
  seconds: number,
  lingerMs: number | undefined,
): Promise<{ events: number; p50: number; p99: number; max: number; commits: number }> {
  const client = createPubSubClient({ projectId: PROJECT });
  const [topic] = await client.createTopic(`latency-${name}`);
  await topic.createSubscription(`latency-${name}-sub`);
  const db = join(BENCH_DATA, `stream-latency-${name}.duckdb`);
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const latencies: number[] = [];
  const total = RATE * seconds;
  const stream = startStream({
    subscription: `projects/${PROJECT}/subscriptions/latency-${name}-sub`,
    warehouse: `duckdb:${db}`,
    maxMessages: total,
    lingerMs,
    client,
    onCommitted: (b) => {
      for (const e of b.events) latencies.push(b.committedAt - e.publishTime);
      for (const r of b.rejects) latencies.push(b.committedAt - r.publishTime);
    },
  });
  while (stream.status().state !== 'running') await new Promise((r) => setTimeout(r, 20));
  const { spawn } = await import('node:child_process');
  const publisher = spawn(NODE, ['cli/main.ts', 'publish', '-t', topic.name, '-n', String(total), '-r', String(RATE)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const published = new Promise<number | null>((resolve) => publisher.on('exit', resolve));
  const summary = await stream.done;
  if ((await published) !== 0) throw new Error('the publisher failed');
  await client.close();
  latencies.sort((a, b) => a - b);
  return {
    events: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1],
    commits: summary.commits,
  };
}

async function main(): Promise<void> {
  const { loadavg } = await import('node:os');
  const loadBefore = loadavg();
  mkdirSync(BENCH_DATA, { recursive: true });
  const emulator = await startPubSubEmulator({ projectId: PROJECT });
  const env = { ...emulator.env };
  process.env.PUBSUB_EMULATOR_HOST = emulator.host;
  try {
    // (a) + (c): one topic, one subscription per run and candidate, all filled by one publish.
    const client = createPubSubClient({ projectId: PROJECT });
    const [topic] = await client.createTopic('backlog');
    const subs: Record<'bare' | 'pipeline' | 'capped', string[]> = { bare: [], pipeline: [], capped: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const kind of ['bare', 'pipeline', 'capped'] as const) {
        const [s] = await topic.createSubscription(`backlog-${kind}-${i}`);
        subs[kind].push(s.name);
      }
    }
    const t0 = performance.now();
    const published = await publishEvents({
      topic: topic.name,
      rows: BACKLOG,
      rate: 0,
      seed: 42,
      duplicates: 0.01,
      invalid: 0.005,
      late: 0.01,
      client,
    });
    process.stderr.write(
      `  backlog: ${published.published} events on ${RUNS * 3} subscriptions in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    await client.close();
    const runOf = { bare: 0, pipeline: 0, capped: 0 };
    const db = join(BENCH_DATA, 'stream-throughput.duckdb');
    /** The whole pipeline as a process, on the next subscription, into a fresh DuckDB file. */
    const pipelineCandidate = (name: string, next: () => string, nodeFlags: string[] = []): Candidate => ({
      name,
      cmd: NODE,
      args: [],
      env,
      // 3: some events were quarantined (the fault mix has invalid ones).
      okCodes: [0, 3],
      before() {
        rmSync(db, { force: true });
        rmSync(`${db}.wal`, { force: true });
        this.args = [
          ...nodeFlags,
          'cli/main.ts',
          'pipeline',
          'stream',
          '-s',
          next(),
          '-w',
          `duckdb:${db}`,
          '--max-messages',
          String(BACKLOG),
          '-q',
        ];
      },
    });
    const candidates: Candidate[] = [
      {
        name: 'bare subscriber (ack only)',
        cmd: NODE,
        args: [],
        env,
        before() {
          this.args = [SELF, '--run', 'bare', subs.bare[runOf.bare++], String(BACKLOG)];
        },
      },
      pipelineCandidate('pipeline stream → DuckDB', () => subs.pipeline[runOf.pipeline++]),
      // The same with V8's old generation capped: what a container's memory limit does by itself.
      pipelineCandidate('pipeline stream, --max-old-space-size=128', () => subs.capped[runOf.capped++], [
        '--max-old-space-size=128',
      ]),
    ];
    const results = await compare('stream-throughput', candidates, { runs: RUNS });
    const rows = results.map((r) => [
      r.name,
      r.medianSeconds.toFixed(2),
      Math.round(BACKLOG / r.medianSeconds),
      (BACKLOG / r.medianSeconds / (BACKLOG / results[0].medianSeconds)).toFixed(2),
      r.medianPeakRssMB.toFixed(0),
    ]);
    process.stdout.write(
      `\n(a) throughput, ${BACKLOG} events backlog (c: peak RSS)\n${formatTable(['candidate', 'median s', 'events/s', 'throughput ratio', 'peak RSS MB'], rows)}\n`,
    );

    // (b) latency at 2,000 events/s: adaptive micro-batches (the default), then fixed 2 s ones.
    const adaptive = await latency(env, 'adaptive', SECONDS, undefined);
    const fixed = await latency(env, 'fixed-2s', Math.min(SECONDS, 20), 2000);
    const loadAfter = loadavg();
    const lat = [
      ['adaptive (default)', SECONDS, adaptive.events, adaptive.commits, adaptive.p50, adaptive.p99, adaptive.max],
      ['fixed 2 s batches', Math.min(SECONDS, 20), fixed.events, fixed.commits, fixed.p50, fixed.p99, fixed.max],
    ];
    process.stdout.write(
      `\n(b) publish → visible in silver at ${RATE} events/s\n${formatTable(['micro-batches', 'seconds', 'events', 'commits', 'p50 ms', 'p99 ms', 'max ms'], lat)}\n` +
        `load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')}\n`,
    );
    await writeResult('stream-latency', { rate: RATE, adaptive, fixed, loadBefore, loadAfter });
  } finally {
    await emulator.stop();
  }
}

const [mode, what, ...rest] = process.argv.slice(2);
if (mode === '--run' && what === 'bare') await bareSubscriber(rest[0], Number(rest[1]));
else await main();
