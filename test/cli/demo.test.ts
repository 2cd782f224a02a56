import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDemoReport, runDemo } from '../../cli/demo.ts';
import { genStep } from '../../cli/demo-steps/gen.ts';
import type { DemoStep } from '../../cli/demo-steps/step.ts';
import { ConflictError } from '../../shared/errors.ts';
import { runSalesflow } from '../util/cli.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-demo-');

describe('runDemo', () => {
  it('runs the steps in order, sharing files, and reports rows and seconds', async () => {
    const seen: string[] = [];
    const check: DemoStep = {
      name: 'count',
      describe: 'count the lines gen wrote',
      async run(ctx) {
        const lines = readFileSync(ctx.files.salesCsv, 'utf8').trimEnd().split('\n').length - 1;
        return { rows: lines, output: ctx.files.customersCsv };
      },
    };
    const dir = join(tmp(), 'ok');
    const report = await runDemo({
      dir,
      rows: 20_000,
      steps: [genStep, check],
      onStep: (e) => seen.push(`${e.step}:${e.phase}`),
    });
    expect(report.ok).toBe(true);
    expect(seen).toEqual(['gen:start', 'gen:end', 'count:start', 'count:end']);
    expect(report.steps.map((s) => [s.name, s.status, s.rows])).toEqual([
      ['gen', 'ok', 20_000],
      ['count', 'ok', 20_000],
    ]);
    expect(report.steps[1].output).toBe(join(dir, 'customers.csv'));
    expect(report.steps.every((s) => s.seconds > 0)).toBe(true);
    // Re-running replaces the demo's own outputs instead of refusing.
    expect((await runDemo({ dir, rows: 1_000, steps: [genStep] })).ok).toBe(true);
  });

  it('refuses a folder that holds other things than an earlier demo (exit 2), touching nothing', async () => {
    const dir = join(tmp(), 'mine');
    mkdirSync(join(dir, 'bucket'), { recursive: true });
    writeFileSync(join(dir, 'sales.csv'), 'my own sales');
    writeFileSync(join(dir, 'bucket', 'keep.txt'), 'precious');
    const err = await runDemo({ dir, rows: 1_000, steps: [genStep] }).catch((e) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(dir);
    expect(readFileSync(join(dir, 'sales.csv'), 'utf8')).toBe('my own sales');
    expect(readdirSync(dir).sort()).toEqual(['bucket', 'sales.csv']);
    const res = await runSalesflow(['demo', '-n', '1k', '-d', dir, '--steps', 'gen']);
    expect(res.code).toBe(2);
    expect(readFileSync(join(dir, 'sales.csv'), 'utf8')).toBe('my own sales');
  });

  it('stops at a failing step, marks the rest skipped, and says why', async () => {
    const boom: DemoStep = {
      name: 'boom',
      describe: 'always fails',
      async run() {
        throw new Error('no warehouse today');
      },
    };
    const never: DemoStep = {
      name: 'never',
      describe: 'must not run',
      async run() {
        throw new Error('ran after a failure');
      },
    };
    const report = await runDemo({ dir: join(tmp(), 'fail'), rows: 1_000, steps: [genStep, boom, never] });
    expect(report.ok).toBe(false);
    expect(report.steps.map((s) => s.status)).toEqual(['ok', 'failed', 'skipped']);
    const text = formatDemoReport(report);
    expect(text).toMatch(/^step\s+status\s+rows\s+seconds\s+output/);
    expect(text).toContain('boom failed: no warehouse today');
    expect(text).toContain('demo FAILED');
  });
});

// The binary's step table and its exit codes (0, 2 for an unknown step) are in test/cli/exit-codes.test.ts.
