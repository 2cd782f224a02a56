/**
 * stream: `salesflow pipeline stream` on the Pub/Sub emulator (one, started here,
 * for every suite), into DuckDB.
 *
 *   npm run bench -- stream          BENCH_STREAM_BACKLOG=20000 BENCH_STREAM_SECONDS=10 for a quick look
 *
 * (a) throughput: a backlog of BENCH_STREAM_BACKLOG (100k) events on one topic,
 *     one subscription per run and candidate, drained by whole processes,
 *     alternated, median of BENCH_RUNS (3); events/s and the ratio to the bare
 *     subscriber (bench/util/bare-subscriber.ts: the same client and flow control,
 *     acking only — the ceiling). Candidates: the bare subscriber, the whole
 *     pipeline into a fresh DuckDB file, both again with V8's heap bounded by
 *     SMALL_HEAP in NODE_OPTIONS, and the pipeline with the whole small-memory
 *     profile docs/streaming.md recommends (SMALL_HEAP plus glibc's MALLOC_*
 *     settings), so each setting's cost and what the client alone needs under
 *     them are measured in the same run.
 * (b) latency: 2,000 events/s for BENCH_STREAM_SECONDS (60) from a `salesflow
 *     publish` process, the pipeline in this process: publish time (the
 *     emulator's) → committed to silver (after COMMIT), p50/p99 over every
 *     event; then the same for 20 s with fixed 2 s micro-batches (no early
 *     commit when idle), to show what the adaptive cadence buys.
 * (c) peak RSS of each candidate in (a), draining the whole backlog: GNU time's
 *     %M, the high-water mark of the largest process it waited for. Each candidate
 *     is one process (DuckDB's and gRPC's threads share its RSS; it starts no
 *     children); the emulator, serving all of them, is not counted.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { publishEvents } from '../generator/publish.ts';
import { startStream } from '../pipelines/stream/run-stream.ts';
import { formatTable } from '../shared/format.ts';
import { createPubSubClient, startPubSubEmulator } from '../shared/pubsub/index.ts';
import { BARE_SUBSCRIBER } from './util/bare-subscriber.ts';
import { BENCH_DATA, type Candidate, compare, NODE, REPO_ROOT, writeResult } from './util/measure.ts';

const PROJECT = 'salesflow-bench';
const BACKLOG = Number(process.env.BENCH_STREAM_BACKLOG ?? 100_000);
const SECONDS = Number(process.env.BENCH_STREAM_SECONDS ?? 60);
const RATE = 2000;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** V8's young generation (1 MB semi-spaces) and old generation (192 MB) bounded: most of the pipeline's RSS is their slack. */
const SMALL_HEAP = '--max-semi-space-size=1 --max-old-space-size=192';

/** glibc's allocator: fewer arenas, and freed memory handed back sooner — what libduckdb and gRPC leave behind. */
const SMALL_MALLOC = { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072' };
const SMALL_MALLOC_TEXT = Object.entries(SMALL_MALLOC)
  .map(([k, v]) => `${k}=${v}`)
  .join(' ');

/** The throughput candidates, the baseline first. */
const KINDS = [
  { key: 'bare', name: 'bare subscriber (ack only)', work: 'bare' },
  { key: 'pipeline', name: 'pipeline stream → DuckDB', work: 'pipeline' },
  {
    key: 'pipeline-small-heap',
    name: `pipeline stream → DuckDB, NODE_OPTIONS="${SMALL_HEAP}"`,
    work: 'pipeline',
    nodeOptions: SMALL_HEAP,
  },
  {
    key: 'pipeline-small-memory',
    name: `pipeline stream → DuckDB, small-memory profile (NODE_OPTIONS="${SMALL_HEAP}" ${SMALL_MALLOC_TEXT})`,
    work: 'pipeline',
    nodeOptions: SMALL_HEAP,
    env: SMALL_MALLOC,
  },
  {
    key: 'bare-small-heap',
    name: `bare subscriber (ack only), NODE_OPTIONS="${SMALL_HEAP}"`,
    work: 'bare',
    nodeOptions: SMALL_HEAP,
  },
] as const satisfies readonly {
  key: string;
  name: string;
  work: 'bare' | 'pipeline';
  nodeOptions?: string;
  env?: Record<string, string>;
}[];

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
): Promise<{ seconds: number; events: number; p50: number; p99: number; max: number; commits: number }> {
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
    seconds,
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
    const subs = new Map<string, string[]>(KINDS.map((k) => [k.key, []]));
    for (let i = 0; i < RUNS; i++) {
      for (const k of KINDS) {
        const [s] = await topic.createSubscription(`backlog-${k.key}-${i}`);
        subs.get(k.key)?.push(s.name);
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
      `  backlog: ${published.published} events on ${RUNS * KINDS.length} subscriptions in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    await client.close();
    const db = join(BENCH_DATA, 'stream-throughput.duckdb');
    /** Each candidate a whole process on its next unused subscription; the pipeline into a fresh DuckDB file. */
    const candidates = KINDS.map((k): Candidate => {
      const next = () => subs.get(k.key)?.shift() ?? '';
      return {
        name: k.name,
        cmd: NODE,
        args: [],
        env: {
          ...env,
          ...('env' in k ? k.env : {}),
          ...('nodeOptions' in k ? { NODE_OPTIONS: k.nodeOptions } : {}),
        },
        // 3: some events were quarantined (the fault mix has invalid ones).
        okCodes: k.work === 'pipeline' ? [0, 3] : [0],
        before() {
          if (k.work === 'bare') {
            this.args = [BARE_SUBSCRIBER, next(), String(BACKLOG)];
            return;
          }
          rmSync(db, { force: true });
          rmSync(`${db}.wal`, { force: true });
          const sub = next();
          this.args = [
            'cli/main.ts',
            'pipeline',
            'stream',
            '-s',
            sub,
            '-w',
            `duckdb:${db}`,
            '--max-messages',
            String(BACKLOG),
            '-q',
          ];
        },
      };
    });
    const results = await compare('stream-throughput', candidates, {
      runs: RUNS,
      rate: { name: 'events/s', perSecond: BACKLOG },
      notes: [
        `A backlog of ${BACKLOG.toLocaleString('en-US')} events (1% duplicates, 0.5% invalid, 1% late) on the Pub/Sub emulator, one subscription per run; the pipeline with \`--max-messages ${BACKLOG}\` into a fresh DuckDB file.`,
        'Peak RSS: GNU time %M of the candidate, one process (no children); the emulator is not counted.',
      ],
    });
    const base = results[0].medianSeconds;
    const rows = results.map((r) => [
      r.name,
      r.medianSeconds.toFixed(2),
      Math.round(BACKLOG / r.medianSeconds),
      (base / r.medianSeconds).toFixed(2),
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

await main();
