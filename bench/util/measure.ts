/**
 * Benchmark measurement: run whole processes, take wall time and peak RSS, run
 * candidates alternated (A B C A B C …) so machine noise hits all of them, and
 * report medians and ratios against a baseline. Benchmarks are not tests: they
 * run with `npm run bench`, never in CI.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable } from '../../shared/format.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BENCH_DATA = join(REPO_ROOT, 'data', 'bench');
export const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');
/** The Node running the bench (the pinned one under npm scripts). */
export const NODE = process.execPath;
/** Load average when this bench process started: a result is only as good as the machine was quiet. */
const LOAD_AT_START = loadavg();

/**
 * What every result file says about the run that produced it: the command to
 * run it again, when, and how loaded the machine was (1/5/15-minute load
 * averages at the start and at the end of the bench process).
 */
export interface BenchRunInfo {
  command: string;
  at: string;
  machine: { cpus: number; memoryGiB: number; loadAverage: { start: number[]; end: number[] } };
}

export function benchRunInfo(): BenchRunInfo {
  const args = process.argv.slice(2);
  // The variables that shape a bench run (BENCH_RUNS, SDK_BENCH_N, …) are part of its command.
  const env = Object.entries(process.env)
    .filter(([k]) => /(^|_)BENCH(_|$)/.test(k))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v} `)
    .join('');
  const round = (xs: number[]) => xs.map((x) => Math.round(x * 100) / 100);
  return {
    command: `${env}node bench/${basename(process.argv[1] ?? '')}${args.length ? ` ${args.join(' ')}` : ''}`,
    at: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      loadAverage: { start: round(LOAD_AT_START), end: round(loadavg()) },
    },
  };
}

/** Write bench/results/<suite>.json, the input of `npm run bench:docs`. */
export async function writeResult(suite: string, body: Record<string, unknown>): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(
    join(RESULTS_DIR, `${suite.replace(/[^a-z0-9-]+/gi, '-')}.json`),
    `${JSON.stringify({ suite, ...benchRunInfo(), ...body }, null, 2)}\n`,
  );
}

export interface Candidate {
  name: string;
  /** Command and arguments of the whole process to time. */
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Exit codes that mean success (default [0]). */
  okCodes?: readonly number[];
  /** Run before each timed run (not timed), e.g. to remove the previous output. */
  before?: () => Promise<void> | void;
  /** Run after each timed run (not timed); may return extra numbers to report (e.g. output bytes). */
  after?: () => Promise<Record<string, number> | undefined> | Record<string, number> | undefined;
}

export interface RunSample {
  seconds: number;
  peakRssMB: number;
  extra: Record<string, number>;
}

export interface CandidateResult {
  name: string;
  samples: RunSample[];
  medianSeconds: number;
  medianPeakRssMB: number;
  extra: Record<string, number>;
}

const HAS_GNU_TIME = existsSync('/usr/bin/time');

/** Run one process; wall seconds and peak RSS (GNU time's %M, else /proc polling). */
export async function measureOnce(c: Candidate): Promise<RunSample> {
  await c.before?.();
  const useTime = HAS_GNU_TIME;
  const cmd = useTime ? '/usr/bin/time' : c.cmd;
  const args = useTime ? ['-f', '__PEAK_RSS_KB=%M', c.cmd, ...c.args] : c.args;
  const start = performance.now();
  const child = spawn(cmd, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...c.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  let polledKb = 0;
  const poll = useTime
    ? undefined
    : setInterval(async () => {
        try {
          const { readFile } = await import('node:fs/promises');
          const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
          const m = /VmHWM:\s+(\d+)/.exec(status);
          if (m) polledKb = Math.max(polledKb, Number(m[1]));
        } catch {}
      }, 20);
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code: number | null = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const seconds = (performance.now() - start) / 1000;
  if (poll) clearInterval(poll);
  if (!(c.okCodes ?? [0]).includes(code ?? -1)) {
    throw new Error(
      `${c.name} failed (exit ${code}): ${c.cmd} ${c.args.join(' ')}\n${stderr.slice(-2000)}${stdout.slice(-500)}`,
    );
  }
  const m = /__PEAK_RSS_KB=(\d+)/.exec(stderr);
  const peakKb = m ? Number(m[1]) : polledKb;
  const extra = (await c.after?.()) ?? {};
  return { seconds, peakRssMB: peakKb / 1024, extra };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Run every candidate `runs` times, alternated; the first candidate is the baseline for ratios.
 * `rate` adds a throughput column (its name, and the units of work one run does); `notes` go
 * under the table and into the result file.
 */
export async function compare(
  suite: string,
  candidates: Candidate[],
  opts: { runs?: number; rate?: { name: string; perSecond: number }; notes?: string[] } = {},
): Promise<CandidateResult[]> {
  const runs = opts.runs ?? Number(process.env.BENCH_RUNS ?? 3);
  const samples = new Map<string, RunSample[]>(candidates.map((c) => [c.name, []]));
  for (let i = 0; i < runs; i++) {
    for (const c of candidates) {
      const s = await measureOnce(c);
      samples.get(c.name)!.push(s);
      process.stderr.write(
        `  ${suite}: ${c.name} run ${i + 1}/${runs}: ${s.seconds.toFixed(2)} s, ${s.peakRssMB.toFixed(0)} MB\n`,
      );
    }
  }
  const results = candidates.map((c) => {
    const ss = samples.get(c.name)!;
    const extraKeys = Object.keys(ss[0]?.extra ?? {});
    const medianSeconds = median(ss.map((s) => s.seconds));
    return {
      name: c.name,
      samples: ss,
      medianSeconds,
      medianPeakRssMB: median(ss.map((s) => s.peakRssMB)),
      extra: {
        ...Object.fromEntries(extraKeys.map((k) => [k, median(ss.map((s) => s.extra[k]))])),
        ...(opts.rate ? { [opts.rate.name]: opts.rate.perSecond / medianSeconds } : {}),
      },
    };
  });
  await report(suite, results, opts.notes);
  return results;
}

/**
 * compare() for functions run in this process: `runs` alternated runs of each,
 * every run's output checked equal (by `key`) to the first one's, medians.
 * Peak RSS is the process's high-water mark so far, not per candidate.
 * `rate` adds a throughput column (name and value per second).
 */
export async function compareInProcess<T>(
  suite: string,
  candidates: { name: string; run: () => T | Promise<T> }[],
  opts: { runs: number; key: (out: T) => string; rate: { name: string; perSecond: number } },
): Promise<CandidateResult[]> {
  const samples = new Map<string, RunSample[]>(candidates.map((c) => [c.name, []]));
  let reference: string | undefined;
  for (let i = 0; i < opts.runs; i++) {
    for (const c of candidates) {
      const start = performance.now();
      const out = await c.run();
      const seconds = (performance.now() - start) / 1000;
      const key = opts.key(out);
      reference ??= key;
      if (key !== reference) throw new Error(`${c.name} computed a different result: ${key} vs ${reference}`);
      samples.get(c.name)?.push({ seconds, peakRssMB: process.resourceUsage().maxRSS / 1024, extra: {} });
      process.stderr.write(`  ${suite}: ${c.name} run ${i + 1}/${opts.runs}: ${seconds.toFixed(2)} s\n`);
    }
  }
  return candidates.map((c) => {
    const ss = samples.get(c.name) ?? [];
    const secs = median(ss.map((s) => s.seconds));
    return {
      name: c.name,
      samples: ss,
      medianSeconds: secs,
      medianPeakRssMB: median(ss.map((s) => s.peakRssMB)),
      extra: { [opts.rate.name]: opts.rate.perSecond / secs },
    };
  });
}

/** Print a table (ratios vs the first row) and save it under bench/results/ (see writeResult). */
export async function report(suite: string, results: CandidateResult[], notes: string[] = []): Promise<void> {
  const base = results[0];
  const extraKeys = [...new Set(results.flatMap((r) => Object.keys(r.extra)))];
  const rows = results.map((r) => [
    r.name,
    r.medianSeconds.toFixed(2),
    (r.medianSeconds / base.medianSeconds).toFixed(2),
    r.medianPeakRssMB.toFixed(0),
    ...extraKeys.map((k) => (r.extra[k] === undefined ? '' : formatExtra(r.extra[k]))),
  ]);
  const table = formatTable(['candidate', 'median s', `ratio vs ${base.name}`, 'peak RSS MB', ...extraKeys], rows);
  process.stdout.write(`\n## ${suite}\n${table}\n${notes.map((n) => `${n}\n`).join('')}`);
  await writeResult(suite, {
    runs: base.samples.length,
    baseline: base.name,
    candidates: results.map((r) => ({
      name: r.name,
      medianSeconds: r.medianSeconds,
      medianPeakRssMB: r.medianPeakRssMB,
      ratio: r.medianSeconds / base.medianSeconds,
      extra: r.extra,
      samples: r.samples,
    })),
    notes,
  });
}

function formatExtra(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}
