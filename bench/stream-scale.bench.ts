/**
 * stream-scale: one vs two `salesflow pipeline stream` processes on one
 * subscription (the Pub/Sub emulator) into one BigQuery dataset (the REST and
 * Storage Write API test servers, one process of their own), against the bare-subscriber
 * ceiling (bench/util/bare-subscriber.ts: the same client and flow control, acking only).
 *
 *   npm run bench -- stream-scale     BENCH_SCALE_BACKLOG=5000 BENCH_SCALE_SECONDS=10 BENCH_RUNS=1 for a quick look
 *
 * (a) throughput: a backlog of BENCH_SCALE_BACKLOG (20k) events (the default
 *     fault mix) on one topic, one subscription per run; whole processes from
 *     their start until every message is in bronze or quarantine (then they are
 *     drained with SIGTERM); alternated, median of BENCH_RUNS (3); events/s,
 *     commits, transactions aborted by a concurrent one and run again.
 * (b) latency: BENCH_SCALE_RATE (1000) events/s for BENCH_SCALE_SECONDS (20)
 *     from a `salesflow publish` process into 1 and 2 consumers: the emulator's
 *     publish time → the silver row's `_loaded_at` (its transaction's time),
 *     p50/p99/max over every sale.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { publishEvents } from '../generator/publish.ts';
import { formatTable } from '../shared/format.ts';
import { createPubSubClient, freePort, startPubSubEmulator } from '../shared/pubsub/index.ts';
import { BigQueryWarehouse } from '../warehouse/bigquery-warehouse.ts';
import { BARE_SUBSCRIBER } from './util/bare-subscriber.ts';
import { median, NODE, REPO_ROOT, writeResult } from './util/measure.ts';
import { startPeer } from './util/peer-process.ts';

const PROJECT = 'salesflow-scale';
const BACKLOG = Number(process.env.BENCH_SCALE_BACKLOG ?? 20_000);
const RATE = Number(process.env.BENCH_SCALE_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SCALE_SECONDS ?? 20);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

type Kind = 'bare' | 'one' | 'two';
const NAMES: Record<Kind, string> = {
  bare: 'bare subscriber (ack only)',
  one: '1 × pipeline stream → BigQuery',
  two: '2 × pipeline stream → BigQuery',
};

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** `…T…:…:….ffffffZ` → epoch ms. */
const ms = (iso: unknown) => Date.parse(String(iso).replace(/(\.\d{3})\d*Z$/, '$1Z'));

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const emulator = await startPubSubEmulator({ projectId: PROJECT });
  // The REST and Storage Write servers in one process (one DuckDB), as `npm run bigquery-storage-server` runs them.
  const bigquery = await startPeer('bigquery-storage-server', ['--bigquery-port', '0', '--project', PROJECT]);
  const bqUrl = bigquery.env.BIGQUERY_EMULATOR_HOST;
  const env = {
    ...emulator.env,
    BIGQUERY_EMULATOR_HOST: bqUrl,
    BIGQUERY_STORAGE_EMULATOR_HOST: bigquery.env.BIGQUERY_STORAGE_EMULATOR_HOST,
  };
  /** Transactions the server aborted for a concurrent update so far (its test-only stats endpoint). */
  const aborted = async () => {
    const res = await fetch(`${bqUrl}/_test/stats`);
    if (!res.ok) throw new Error(`the BigQuery test server's stats: HTTP ${res.status}`);
    return ((await res.json()) as { transactions: { aborted: number } }).transactions.aborted;
  };
  process.env.PUBSUB_EMULATOR_HOST = emulator.host;
  const handles: BigQueryWarehouse[] = [];
  /** A dataset provisioned here; the consumers run with --no-create, as on Cloud Run. */
  const dataset = async (name: string) => {
    const w = await BigQueryWarehouse.open({ projectId: PROJECT, dataset: name, endpoint: bqUrl });
    await w.ensure();
    handles.push(w);
    return w;
  };
  const messages = async (w: BigQueryWarehouse) =>
    Number(
      (await w.query('SELECT (SELECT COUNT(*) FROM bronze_sales) + (SELECT COUNT(*) FROM quarantine_sales) AS n'))
        .rows[0].n,
    );
  const consumers = (subscription: string, ds: string, k: number, ports: readonly number[] = []) =>
    Array.from({ length: k }, (_, i) => {
      const child = spawn(
        NODE,
        ['cli/main.ts', 'pipeline', 'stream', '-s', subscription, '-w', `bigquery:${PROJECT}.${ds}`, '--no-create'],
        {
          cwd: REPO_ROOT,
          env: { ...process.env, ...env, ...(ports[i] ? { PORT: String(ports[i]) } : {}) },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout?.on('data', (d) => {
        out += d;
      });
      child.stderr?.on('data', (d) => {
        out += d;
      });
      return { child, output: () => out, exit: exited(child) };
    });
  /** Rejects when a consumer ends before it is drained (what it printed says why). */
  const earlyExit = (cs: ReturnType<typeof consumers>) =>
    Promise.race(
      cs.map((c) =>
        c.exit.then((code) => {
          throw new Error(`a consumer ended early (exit ${code}):\n${c.output().slice(-3000)}`);
        }),
      ),
    );
  /** Wait until `target` messages are committed while every consumer runs; two minutes without progress is a failure. */
  const whileRunning = (cs: ReturnType<typeof consumers>, w: BigQueryWarehouse, target: number, what: string) => {
    const early = earlyExit(cs);
    early.catch(() => {});
    let last = -1;
    let since = Date.now();
    const progressing = async () => {
      const n = await messages(w);
      if (n !== last) [last, since] = [n, Date.now()];
      else if (Date.now() - since > 120_000) {
        throw new Error(
          `${what}: stuck at ${n} of ${target} for 2 min:\n${cs.map((c) => c.output().slice(-2000)).join('\n---\n')}`,
        );
      }
      return n >= target;
    };
    return Promise.race([until(progressing, what, 30 * 60_000), early]);
  };
  /** Drain consumers (SIGTERM) and sum the commits their summaries report. */
  const drain = async (cs: ReturnType<typeof consumers>) => {
    for (const c of cs) c.child.kill('SIGTERM');
    let commits = 0;
    for (const c of cs) {
      const code = await c.exit;
      if (code !== 0 && code !== 3) throw new Error(`a consumer failed (exit ${code}):\n${c.output().slice(-2000)}`);
      const reported = /([\d,]+) commits/.exec(c.output())?.[1];
      // The summary is the only source of the count: without it the figure would be made up.
      if (reported === undefined) throw new Error(`a consumer printed no summary:\n${c.output().slice(-2000)}`);
      commits += Number(reported.replaceAll(',', ''));
    }
    return commits;
  };

  try {
    // (a) throughput on one backlog.
    const client = createPubSubClient({ projectId: PROJECT });
    const [topic] = await client.createTopic('backlog');
    const subs = new Map<string, string>();
    for (let i = 0; i < RUNS; i++) {
      for (const kind of ['bare', 'one', 'two'] as Kind[]) {
        const [s] = await topic.createSubscription(`backlog-${kind}-${i}`);
        subs.set(`${kind}-${i}`, s.name);
      }
    }
    const published = await publishEvents({ topic: topic.name, rows: BACKLOG, rate: 0, seed: 42, client });
    process.stderr.write(`  backlog: ${published.published} events on ${subs.size} subscriptions\n`);
    const samples: Record<Kind, { seconds: number; commits: number; aborted: number }[]> = {
      bare: [],
      one: [],
      two: [],
    };
    for (let i = 0; i < RUNS; i++) {
      for (const kind of ['bare', 'one', 'two'] as Kind[]) {
        const sub = subs.get(`${kind}-${i}`) as string;
        let sample: { seconds: number; commits: number; aborted: number };
        if (kind === 'bare') {
          const started = performance.now();
          const child = spawn(NODE, [BARE_SUBSCRIBER, sub, String(BACKLOG)], {
            cwd: REPO_ROOT,
            env: { ...process.env, ...env },
            stdio: 'inherit',
          });
          if ((await exited(child)) !== 0) throw new Error('the bare subscriber failed');
          sample = { seconds: (performance.now() - started) / 1000, commits: 0, aborted: 0 };
        } else {
          const w = await dataset(`throughput_${kind}_${i}`);
          const abortedBefore = await aborted();
          const started = performance.now();
          const cs = consumers(sub, `throughput_${kind}_${i}`, kind === 'one' ? 1 : 2);
          await whileRunning(cs, w, BACKLOG, 'the backlog to be committed');
          const seconds = (performance.now() - started) / 1000;
          const commits = await drain(cs);
          sample = { seconds, commits, aborted: (await aborted()) - abortedBefore };
        }
        samples[kind].push(sample);
        process.stderr.write(`  stream-scale: ${NAMES[kind]} run ${i + 1}/${RUNS}: ${sample.seconds.toFixed(2)} s\n`);
      }
    }
    await client.close();
    const base = median(samples.bare.map((s) => s.seconds));
    const throughput = (['bare', 'one', 'two'] as Kind[]).map((kind) => {
      const secs = median(samples[kind].map((s) => s.seconds));
      return {
        candidate: NAMES[kind],
        medianSeconds: secs,
        eventsPerSecond: Math.round(BACKLOG / secs),
        ratio: base / secs,
        commits: median(samples[kind].map((s) => s.commits)),
        aborted: median(samples[kind].map((s) => s.aborted)),
        samples: samples[kind],
      };
    });
    process.stdout.write(
      `\n(a) throughput, ${BACKLOG} events backlog\n${formatTable(
        ['candidate', 'median s', 'events/s', 'vs bare', 'commits', 'aborted + rerun'],
        throughput.map((t) => [
          t.candidate,
          t.medianSeconds.toFixed(2),
          t.eventsPerSecond,
          t.ratio.toFixed(2),
          t.commits,
          t.aborted,
        ]),
      )}\n`,
    );

    // (b) latency at RATE events/s into 1 and 2 consumers.
    const latency = [];
    for (const k of [1, 2]) {
      const name = `latency_${k}`;
      const c = createPubSubClient({ projectId: PROJECT });
      const [t] = await c.createTopic(name);
      const [s] = await t.createSubscription(`${name}-sub`);
      await c.close();
      const w = await dataset(name);
      const abortedBefore = await aborted();
      const ports = [await freePort(), await freePort()].slice(0, k);
      const cs = consumers(s.name, name, k, ports);
      // Publish once every consumer runs (its health endpoint says so), so start-up is not in the latency.
      for (const port of ports) {
        await until(
          async () => {
            const status = await fetch(`http://127.0.0.1:${port}/`).then(
              (res) => res.json() as Promise<{ state?: string }>,
              () => undefined,
            );
            return status?.state === 'running';
          },
          'a consumer to run',
          120_000,
        );
      }
      const total = RATE * SECONDS;
      const publisher = spawn(NODE, ['cli/main.ts', 'publish', '-t', t.name, '-n', String(total), '-r', String(RATE)], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      if ((await exited(publisher)) !== 0) throw new Error('the publisher failed');
      await whileRunning(cs, w, total, 'the paced events to be committed');
      const commits = await drain(cs);
      const { rows } = await w.query(
        'SELECT b._publish_time AS published, s._loaded_at AS loaded FROM silver_sales s JOIN bronze_sales b ON b._message_id = s._message_id',
      );
      const lat = rows.map((r) => ms(r.loaded) - ms(r.published)).sort((a, b) => a - b);
      latency.push({
        consumers: k,
        events: lat.length,
        commits,
        aborted: (await aborted()) - abortedBefore,
        p50: percentile(lat, 50),
        p99: percentile(lat, 99),
        max: lat[lat.length - 1],
      });
    }
    const loadAfter = loadavg();
    process.stdout.write(
      `\n(b) publish → silver at ${RATE} events/s for ${SECONDS} s\n${formatTable(
        ['consumers', 'sales', 'commits', 'aborted + rerun', 'p50 ms', 'p99 ms', 'max ms'],
        latency.map((l) => [l.consumers, l.events, l.commits, l.aborted, l.p50, l.p99, l.max]),
      )}\nload average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')}\n`,
    );
    await writeResult('stream-scale', {
      backlog: BACKLOG,
      rate: RATE,
      seconds: SECONDS,
      throughput,
      latency,
      loadBefore,
      loadAfter,
    });
  } finally {
    for (const h of handles) await h.close();
    await bigquery.stop();
    await emulator.stop();
  }
}

await main();
