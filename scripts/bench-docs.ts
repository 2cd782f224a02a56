/**
 * `npm run bench:docs`: docs/benchmarks.md and the README's benchmark summary,
 * generated from bench/results/*.json (what each bench run writes, see
 * bench/util/measure.ts), so every published figure comes with the command, date and
 * machine load that produced it. Figures are never typed into the docs by hand.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');

interface CandidateFigures {
  name: string;
  medianSeconds: number;
  medianPeakRssMB: number | null;
  /** Median seconds ÷ the baseline's (the first candidate). */
  ratio: number;
  extra: Record<string, number>;
}

interface LatencyRow {
  label: string;
  seconds?: number;
  events: number;
  commits: number;
  aborted?: number;
  p50: number;
  p99: number;
  max: number;
}

/** One bench/results/*.json file, in the shape compare()/report() or the stream benches write. */
export interface BenchResult {
  suite: string;
  command?: string;
  at: string;
  machine?: {
    cpus?: number;
    memoryGiB?: number;
    loadAverage?: { start: number[]; end: number[] } | null;
    /** A description, for figures whose load averages were not recorded. */
    load?: string;
  };
  candidates?: CandidateFigures[];
  notes?: string[];
  recorded?: string;
  // stream-scale
  backlog?: number;
  throughput?: {
    candidate: string;
    medianSeconds: number;
    eventsPerSecond?: number;
    medianPeakRssMB?: number;
    ratio: number;
  }[];
  latency?: {
    consumers: number;
    events: number;
    commits: number;
    aborted: number;
    p50: number;
    p99: number;
    max: number;
  }[];
  // stream-latency
  rate?: number;
  adaptive?: Omit<LatencyRow, 'label'>;
  fixed?: Omit<LatencyRow, 'label'>;
}

interface Target {
  /** Ours ÷ peer median seconds at most this. */
  maxRatio?: number;
  maxRssMB?: number;
  text: string;
}

interface Headline {
  capability: string;
  ours: string;
  peer: string;
  target?: Target;
}

interface SuiteDoc {
  suite: string;
  title: string;
  /** The command's page, which explains the figures. */
  page: string;
  headlines: Headline[];
}

/** Which suites the docs show, in this order, and which comparison of each is the headline. */
export const SUITE_DOCS: SuiteDoc[] = [
  {
    suite: 'gen-10m',
    title: 'gen: 10M rows of CSV',
    page: 'gen.md#benchmark',
    headlines: [
      {
        capability: 'gen 10M rows CSV',
        ours: 'salesflow gen',
        peer: 'duckdb',
        target: { maxRatio: 0.5, maxRssMB: 300, text: '≤ 0.5x, ≤ 300 MB' },
      },
    ],
  },
  {
    suite: 'to-parquet-10m',
    title: 'to-parquet: 10M rows, zstd, `-p region`',
    page: 'to-parquet.md#benchmark',
    headlines: [
      {
        capability: 'to-parquet 10M rows',
        ours: 'salesflow',
        peer: 'duckdb',
        target: { maxRatio: 1, maxRssMB: 500, text: '≤ 1.0x, ≤ 500 MB' },
      },
    ],
  },
  {
    suite: 'aggregate-10m',
    title: 'aggregate: the two reports over the 10M-row lake',
    page: 'aggregate.md#benchmark',
    headlines: [
      {
        capability: 'aggregate, duckdb engine (CLI)',
        ours: 'salesflow -e duckdb',
        peer: 'raw-duckdb',
        target: { maxRatio: 1.2, text: '≤ 1.2x' },
      },
      {
        capability: 'aggregate, arrow engine (CLI)',
        ours: 'salesflow -e arrow',
        peer: 'raw-duckdb',
        target: { maxRatio: 3, maxRssMB: 300, text: '≤ 3x, ≤ 300 MB' },
      },
    ],
  },
  {
    suite: 'upload-500x1mb',
    title: 'upload: 500 × 1 MiB to the GCS test server',
    page: 'upload.md#benchmark',
    headlines: [
      {
        capability: 'upload 500 × 1 MiB',
        ours: 'salesflow upload -w 8',
        peer: 'TransferManager.uploadManyFiles (defaults)',
        target: { maxRatio: 1, text: '≤ 1x of each peer' },
      },
    ],
  },
  {
    suite: 'upload-lake-10m',
    title: 'upload: the 10M-row lake to the GCS test server',
    page: 'upload.md#benchmark',
    headlines: [
      {
        capability: 'upload the 10M-row lake',
        ours: 'salesflow upload -w 8',
        peer: 'TransferManager.uploadManyFiles (defaults)',
        target: { maxRatio: 1, text: '≤ 1x of each peer' },
      },
    ],
  },
  {
    suite: 'sdk-10000000',
    title: 'SDK: map → filter → groupBy(region).combining(sum), 10M elements',
    page: 'sdk.md#benchmark',
    headlines: [
      {
        capability: 'SDK DirectRunner, 10M elements',
        ours: 'sdk DirectRunner',
        peer: 'hand-written loop',
        target: { maxRatio: 3, text: '≤ 3x, ≥ 2 M el/s' },
      },
    ],
  },
  {
    suite: 'sdk-heavy-200000',
    title: 'SDK: `mapInWorkers` on a CPU-heavy function, 200k elements',
    page: 'sdk.md#benchmark',
    headlines: [],
  },
  {
    suite: 'pipeline-batch-lake-10m',
    title: 'pipeline batch: the 10M-row lake',
    page: 'pipeline.md#benchmark',
    headlines: [
      {
        capability: 'pipeline batch, 10M-row lake → DuckDB',
        ours: 'pipeline batch → DuckDB (local)',
        peer: 'duckdb INSERT…SELECT read_parquet',
        target: { maxRatio: 2, text: '≤ 2x' },
      },
      {
        capability: 'pipeline batch, push-down to BigQuery',
        ours: 'pipeline batch → BigQuery server (push-down)',
        peer: 'duckdb INSERT…SELECT read_parquet',
        target: { maxRatio: 2, text: '≤ 2x' },
      },
    ],
  },
  {
    suite: 'pipeline-batch-csv-10m',
    title: 'pipeline batch: 10M rows as one CSV',
    page: 'pipeline.md#benchmark',
    headlines: [],
  },
  {
    suite: 'stream-throughput',
    title: 'pipeline stream: 100k-event backlog on the Pub/Sub emulator',
    page: 'streaming.md#benchmark-npm-run-bench----stream',
    headlines: [
      {
        capability: 'pipeline stream, 100k backlog',
        ours: 'pipeline stream → DuckDB',
        peer: 'bare subscriber (ack only)',
        target: { maxRatio: 1.25, maxRssMB: 300, text: '≤ 1.25x (≥ 0.8x throughput), ≤ 300 MB' },
      },
      {
        capability: 'pipeline stream, 100k backlog, small-memory profile',
        ours: 'pipeline stream → DuckDB, small-memory profile (NODE_OPTIONS="--max-semi-space-size=1 --max-old-space-size=192" MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=131072)',
        peer: 'bare subscriber (ack only)',
        target: { maxRatio: 1.25, maxRssMB: 300, text: '≤ 1.25x (≥ 0.8x throughput), ≤ 300 MB' },
      },
    ],
  },
  {
    suite: 'stream-latency',
    title: 'pipeline stream: publish → silver latency',
    page: 'streaming.md#benchmark-npm-run-bench----stream',
    headlines: [],
  },
  {
    suite: 'stream-scale',
    title: 'pipeline stream: 1 vs 2 consumers into the BigQuery test servers',
    page: 'streaming.md#how-the-deployment-scales-and-what-bounds-it',
    headlines: [
      {
        capability: 'pipeline stream → BigQuery, 2 consumers',
        ours: '2 × pipeline stream → BigQuery',
        peer: 'bare subscriber (ack only)',
      },
    ],
  },
  {
    suite: 'warehouse-load-10m',
    title: 'warehouse: load 10M rows',
    page: 'query.md#benchmark',
    headlines: [],
  },
  {
    suite: 'warehouse-query-10m',
    title: 'warehouse: a gold query over 10M rows',
    page: 'query.md#benchmark',
    headlines: [{ capability: 'query, gold view via the library', ours: 'query-library', peer: 'query-raw-duckdb' }],
  },
  {
    suite: 'dashboard-report-model-1m',
    title: 'dashboard: the report model on 1M rows',
    page: 'dashboard.md#benchmark-node-benchdashboardbenchts',
    headlines: [
      { capability: 'dashboard report model, 1M rows', ours: 'buildReportModel', peer: 'same SQL on DuckDB directly' },
    ],
  },
];

export function readResults(dir = RESULTS_DIR): Map<string, BenchResult> {
  const out = new Map<string, BenchResult>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as BenchResult;
    out.set(r.suite, r);
  }
  return out;
}

/** The candidates of any result shape, with ratios against the first. */
export function candidatesOf(r: BenchResult): CandidateFigures[] {
  if (r.candidates) return r.candidates;
  if (r.throughput) {
    const base = r.throughput[0].medianSeconds;
    return r.throughput.map(
      (t): CandidateFigures => ({
        name: t.candidate,
        medianSeconds: t.medianSeconds,
        medianPeakRssMB: t.medianPeakRssMB ?? null,
        ratio: t.medianSeconds / base,
        extra:
          t.eventsPerSecond !== undefined
            ? { 'events/s': t.eventsPerSecond }
            : r.backlog
              ? { 'events/s': Math.round(r.backlog / t.medianSeconds) }
              : ({} as Record<string, number>),
      }),
    );
  }
  return [];
}

const fixed = (x: number, digits = 2) => x.toFixed(digits);
const mb = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${Math.round(x)} MB`);
const day = (at: string) => at.slice(0, 10);
const cell = (s: string) => s.replace(/\|/g, '\\|');

function loadText(r: BenchResult): string {
  const la = r.machine?.loadAverage;
  if (la)
    return `load average ${la.start.map((x) => fixed(x)).join(' / ')} at the start, ${la.end.map((x) => fixed(x)).join(' / ')} at the end`;
  return r.machine?.load ?? 'load not recorded';
}

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

function latencyRows(r: BenchResult): LatencyRow[] {
  if (r.latency) return r.latency.map((l) => ({ label: `${l.consumers} consumer${l.consumers > 1 ? 's' : ''}`, ...l }));
  const rows: LatencyRow[] = [];
  if (r.adaptive) rows.push({ label: 'adaptive micro-batches (default)', ...r.adaptive });
  if (r.fixed) rows.push({ label: 'fixed 2 s micro-batches', ...r.fixed });
  return rows;
}

function suiteSection(doc: SuiteDoc, r: BenchResult): string {
  const parts = [
    `## ${doc.suite}`,
    '',
    `${doc.title}. What the figures mean: [${doc.page.split('#')[0]}](${doc.page}).`,
    '',
  ];
  const machine = r.machine?.cpus ? `${r.machine.cpus} cores, ${r.machine.memoryGiB} GiB` : 'this machine';
  parts.push(`Measured ${day(r.at)} with \`${r.command ?? 'unknown'}\` on ${machine}, ${loadText(r)}.`);
  if (r.recorded) parts.push(r.recorded);
  parts.push('');
  const cands = candidatesOf(r);
  if (cands.length) {
    const extraKeys = [...new Set(cands.flatMap((c) => Object.keys(c.extra ?? {})))];
    parts.push(
      table(
        ['candidate', 'median s', `ratio vs ${cands[0].name}`, 'peak RSS', ...extraKeys],
        cands.map((c) => [
          c.name,
          fixed(c.medianSeconds),
          fixed(c.ratio),
          mb(c.medianPeakRssMB),
          ...extraKeys.map((k) => (c.extra?.[k] === undefined ? '' : String(Math.round(c.extra[k] * 100) / 100))),
        ]),
      ),
      '',
    );
  }
  const lat = latencyRows(r);
  if (lat.length) {
    parts.push(
      `Latency, publish → visible in silver${r.rate ? ` at ${r.rate} events/s` : ''}:`,
      '',
      table(
        ['run', 'seconds', 'events', 'commits', 'aborted and run again', 'p50 ms', 'p99 ms', 'max ms'],
        lat.map((l) => [
          l.label,
          l.seconds === undefined ? '—' : String(l.seconds),
          String(l.events),
          String(l.commits),
          l.aborted === undefined ? '—' : String(l.aborted),
          String(l.p50),
          String(l.p99),
          String(l.max),
        ]),
      ),
      '',
    );
  }
  for (const n of r.notes ?? []) parts.push(`- ${n}`);
  if (r.notes?.length) parts.push('');
  return parts.join('\n');
}

export function renderBenchmarksPage(results: Map<string, BenchResult>): string {
  const known = new Set(SUITE_DOCS.map((d) => d.suite));
  const extra: SuiteDoc[] = [...results.keys()]
    .filter((s) => !known.has(s))
    .sort()
    .map((suite) => ({ suite, title: suite, page: '../README.md#benchmarks', headlines: [] }));
  const sections = [...SUITE_DOCS, ...extra].filter((d) => results.has(d.suite));
  return [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench:docs` from bench/results/*.json: edit those (or re-run a bench), not this file. -->',
    '',
    'Each capability is measured side by side with a real peer in the same run (`npm run bench`,',
    '`npm run bench -- NAME`; `bench/*.bench.ts`): whole processes, CLI start-up included, candidates',
    'alternated so machine noise hits all of them, the median of `BENCH_RUNS` runs (default 3), peak RSS',
    'from GNU time. Each run writes `bench/results/SUITE.json` (the command, the date, the machine and its',
    'load average, every candidate with its samples, medians and ratio); `npm run bench:docs` turns',
    'them into this page and the summary in the [README](../README.md#benchmarks). Ratios are median',
    'seconds ÷ the first candidate’s: below 1 is faster. Shared inputs live in `data/bench/`',
    '(git-ignored, made on demand by `bench/util/data.ts` with our own `gen` and `to-parquet`: 10M rows,',
    'seed 42, a 511 MB CSV). Benchmarks are not part of CI. Ratios within one run are what to compare:',
    'absolute seconds depend on what else the 2 shared cores were doing (the load average).',
    '',
    ...sections.map((d) => suiteSection(d, results.get(d.suite)!)),
  ].join('\n');
}

export const SUMMARY_START = '<!-- bench-summary: generated by `npm run bench:docs` -->';
export const SUMMARY_END = '<!-- /bench-summary -->';

export function renderSummary(results: Map<string, BenchResult>): string {
  const rows: string[][] = [];
  for (const doc of SUITE_DOCS) {
    const r = results.get(doc.suite);
    if (!r) continue;
    const cands = candidatesOf(r);
    for (const h of doc.headlines) {
      const ours = cands.find((c) => c.name === h.ours);
      const peer = cands.find((c) => c.name === h.peer);
      if (!ours || !peer) throw new Error(`${doc.suite}: no candidate ${ours ? h.peer : h.ours} in its result file`);
      const ratio = ours.medianSeconds / peer.medianSeconds;
      const t = h.target;
      const checks = [
        t?.maxRatio === undefined ? undefined : ratio <= t.maxRatio,
        t?.maxRssMB === undefined || ours.medianPeakRssMB === null ? undefined : ours.medianPeakRssMB <= t.maxRssMB,
      ].filter((c) => c !== undefined);
      const met = checks.length === 0 ? '—' : checks.every(Boolean) ? 'yes' : checks.some(Boolean) ? 'partly' : 'no';
      rows.push([
        `[${h.capability}](docs/benchmarks.md#${doc.suite})`,
        `${fixed(ours.medianSeconds)} s, ${mb(ours.medianPeakRssMB)}`,
        `${h.peer}: ${fixed(peer.medianSeconds)} s, ${mb(peer.medianPeakRssMB)}`,
        `**${fixed(ratio)}x**`,
        t?.text ?? '—',
        met,
        day(r.at),
      ]);
    }
  }
  return [
    SUMMARY_START,
    table(['capability', 'ours (median)', 'peer (median)', 'time ratio', 'target', 'met', 'measured'], rows),
    SUMMARY_END,
  ].join('\n');
}

/** The README with its summary block replaced. */
export function withSummary(readme: string, summary: string): string {
  const start = readme.indexOf(SUMMARY_START);
  const end = readme.indexOf(SUMMARY_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${SUMMARY_START} … ${SUMMARY_END} block`);
  return readme.slice(0, start) + summary + readme.slice(end + SUMMARY_END.length);
}

export const BENCHMARKS_PAGE = join(REPO_ROOT, 'docs', 'benchmarks.md');
export const README = join(REPO_ROOT, 'README.md');

if (import.meta.main) {
  const results = readResults();
  writeFileSync(BENCHMARKS_PAGE, renderBenchmarksPage(results));
  writeFileSync(README, withSummary(readFileSync(README, 'utf8'), renderSummary(results)));
  console.log(`wrote docs/benchmarks.md and the README summary from ${results.size} result files`);
}
