/**
 * The demo: the whole flow on the local default, as a list of named steps run in
 * order (one file each under demo-steps/, each calling the library its command
 * calls). Each step gets a shared context (the demo folder, sizes, and the files
 * earlier steps produced) and returns what it made. runDemo times every step,
 * stops at the first failure (later steps are reported as skipped), and returns
 * a report; the command prints it as a step/status/rows/seconds table.
 *
 * Adding a step = a file in demo-steps/ and its place in DEMO_STEPS.
 */
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { makeDirs } from '../shared/make-dirs.ts';
import { join } from 'node:path';
import { ConflictError, describeError, writeFailure } from '../shared/errors.ts';
import { formatTable } from '../shared/format.ts';
import { aggregateStep } from './demo-steps/aggregate.ts';
import { dimsStep } from './demo-steps/dims.ts';
import { genStep } from './demo-steps/gen.ts';
import { goldQueriesStep } from './demo-steps/gold-queries.ts';
import { pipelineBatchStep } from './demo-steps/pipeline-batch.ts';
import { reportStep } from './demo-steps/report.ts';
import type { DemoContext, DemoStep, DemoStepResult } from './demo-steps/step.ts';
import { streamStep } from './demo-steps/stream.ts';
import { toParquetStep } from './demo-steps/to-parquet.ts';
import { uploadStep } from './demo-steps/upload.ts';

export const DEMO_DEFAULTS = Object.freeze({ dir: 'data/demo', rows: 1_000_000, seed: 42 });

/** The demo's steps, in order. */
export const DEMO_STEPS: DemoStep[] = [
  genStep,
  toParquetStep,
  uploadStep,
  pipelineBatchStep,
  dimsStep,
  aggregateStep,
  goldQueriesStep,
  streamStep,
  reportStep,
];

export type DemoStatus = 'ok' | 'failed' | 'skipped';

export interface DemoStepReport extends DemoStepResult {
  name: string;
  status: DemoStatus;
  seconds: number;
  error?: string;
}

export interface DemoReport {
  ok: boolean;
  steps: DemoStepReport[];
  seconds: number;
  /** What the steps made, by role (salesCsv, lake, warehouse, …). */
  files: Record<string, string>;
}

export interface RunDemoOptions {
  dir?: string;
  rows?: number;
  seed?: number;
  steps?: readonly DemoStep[];
  /** Called when a step starts and when it ends. */
  onStep?: (event: { step: string; phase: 'start' } | ({ phase: 'end' } & DemoStepReport & { step: string })) => void;
  note?: (message: string) => void;
}

/** Marks a folder as the demo's own: its outputs are replaced on every run. */
export const DEMO_MARKER = '.salesflow-demo';

/**
 * The demo replaces everything it makes in its folder (sales.csv, lake/,
 * bucket/, warehouse.duckdb), so the folder must be its own: missing, empty,
 * or marked by an earlier demo run.
 */
async function claimDemoDir(dir: string): Promise<void> {
  if (existsSync(dir) && !existsSync(join(dir, DEMO_MARKER)) && readdirSync(dir).length > 0) {
    throw new ConflictError(
      `demo folder ${dir} holds files and is not a demo folder (no ${DEMO_MARKER}); the demo replaces what it ` +
        'writes there: pick another --dir, or empty it',
      { file: dir, step: 'demo' },
    );
  }
  await makeDirs(dir).catch((err: unknown) => {
    throw writeFailure(err, dir);
  });
  await writeFile(join(dir, DEMO_MARKER), '');
}

export async function runDemo(opts: RunDemoOptions = {}): Promise<DemoReport> {
  const ctx: DemoContext = {
    dir: opts.dir ?? DEMO_DEFAULTS.dir,
    rows: opts.rows ?? DEMO_DEFAULTS.rows,
    seed: opts.seed ?? DEMO_DEFAULTS.seed,
    files: {},
    note: opts.note ?? (() => {}),
  };
  await claimDemoDir(ctx.dir);
  const start = performance.now();
  const reports: DemoStepReport[] = [];
  let failed = false;
  for (const step of opts.steps ?? DEMO_STEPS) {
    if (failed) {
      reports.push({ name: step.name, status: 'skipped', seconds: 0 });
      continue;
    }
    opts.onStep?.({ step: step.name, phase: 'start' });
    const t0 = performance.now();
    let report: DemoStepReport;
    try {
      const result = await step.run(ctx);
      const status = result.skipped === undefined ? 'ok' : 'skipped';
      report = { name: step.name, status, seconds: (performance.now() - t0) / 1000, ...result };
    } catch (err) {
      failed = true;
      report = {
        name: step.name,
        status: 'failed',
        seconds: (performance.now() - t0) / 1000,
        error: describeError(err),
      };
    }
    reports.push(report);
    opts.onStep?.({ step: step.name, phase: 'end', ...report });
  }
  return { ok: !failed, steps: reports, seconds: (performance.now() - start) / 1000, files: ctx.files };
}

/** The report as an aligned table, failures spelled out below it. */
export function formatDemoReport(report: DemoReport): string {
  const table = formatTable(
    ['step', 'status', 'rows', 'seconds', 'output'],
    report.steps.map((s) => [
      s.name,
      s.status,
      s.rows ?? '',
      s.status === 'skipped' ? '' : s.seconds.toFixed(2),
      s.output ?? '',
    ]),
  );
  const errors = report.steps.filter((s) => s.error).map((s) => `${s.name} failed: ${s.error}`);
  const skipped = report.steps.filter((s) => s.skipped).map((s) => `${s.name} skipped: ${s.skipped}`);
  // The demo's warehouse is its own (not the default one): say how to query it.
  const next = report.files.warehouse
    ? [`query its warehouse: salesflow query -w duckdb:${report.files.warehouse} --example top_customers`]
    : [];
  return [
    table,
    ...errors,
    ...skipped,
    `${report.ok ? 'demo ok' : 'demo FAILED'} in ${report.seconds.toFixed(1)} s`,
    ...next,
  ].join('\n');
}
