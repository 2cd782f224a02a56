/**
 * One rule for every command, through the real binary (stdout and stderr are
 * pipes, not a TTY): the summary on stdout, always, so a script keeps a record
 * of what was written; nothing on stderr without --verbose; --quiet silences
 * the summary but neither the exit code nor a command's results.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSales } from '../../generator/generate.ts';
import { printSummary, showProgress } from '../../shared/command-output.ts';
import { runSalesflow } from '../util/cli.ts';
import { salesCsvText, sampleRows } from '../util/sales-csv.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-output-streams-');
const d = (...parts: string[]) => join(tmp(), ...parts);
const BAD_ROW = 'TX-BAD-1,7,2024-01-05,-3.00,Books,North';

beforeAll(async () => {
  mkdirSync(d('in'), { recursive: true });
  writeFileSync(d('in', 'clean.csv'), salesCsvText(sampleRows(40, 1)));
  writeFileSync(d('in', 'one-bad.csv'), salesCsvText(sampleRows(40, 2), [BAD_ROW]));
  mkdirSync(d('land'), { recursive: true });
  writeFileSync(d('land', 'a.csv'), salesCsvText(sampleRows(30, 3), [BAD_ROW]));
  await generateSales({ rows: 50, seed: 1, out: d('dims', 'sales.csv'), dimensions: true, customers: 20 });
});

interface Case {
  name: string;
  /** Arguments writing to outputs named by `run`, so the quiet and the loud run do not meet. */
  args: (run: string) => string[];
  code: number;
  /** What stdout says without --quiet. */
  summary: RegExp;
}

const CASES: Case[] = [
  {
    name: 'gen',
    args: (run) => ['gen', '-n', '100', '-w', '0', '-o', d(run, 'g.csv')],
    code: 0,
    summary: /^gen: 100 rows, .*g\.csv\n$/,
  },
  {
    name: 'to-parquet (rows rejected: exit 3)',
    args: (run) => ['to-parquet', d('in', 'one-bad.csv'), '-o', d(run, 'lake'), '-p', 'region', '--max-errors', '5'],
    code: 3,
    summary: /^40 rows → .*lake: \d+ partitions, .*; 1 rejected/,
  },
  {
    name: 'upload',
    args: (run) => ['upload', d('in', 'clean.csv'), d(run, 'bucket')],
    code: 0,
    summary: /uploaded/,
  },
  {
    name: 'pipeline batch (rows quarantined: exit 3)',
    args: (run) => ['pipeline', 'batch', '-s', d('land'), '-w', `duckdb:${d(`${run}-batch.duckdb`)}`],
    code: 3,
    summary: /partial/,
  },
  {
    name: 'pipeline dims',
    args: (run) => ['pipeline', 'dims', d('dims'), '-w', `duckdb:${d(`${run}-dims.duckdb`)}`],
    code: 0,
    summary: /customers\.csv/,
  },
];

describe('summary on stdout, --quiet silences it, the exit code stays', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const quiet = await runSalesflow([...c.args('quiet'), '--quiet']);
    expect(quiet.code, quiet.stderr).toBe(c.code);
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr).toBe('');
    const loud = await runSalesflow(c.args('loud'));
    expect(loud.code, loud.stderr).toBe(c.code);
    expect(loud.stdout).toMatch(c.summary);
    expect(loud.stderr).toBe('');
  });

  it('results still print with --quiet (aggregate)', async () => {
    const res = await runSalesflow(['aggregate', d('in', 'clean.csv'), '-f', 'json', '-q']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('product_category');
  });
});

describe('showProgress / printSummary', () => {
  it('progress on a TTY or with --verbose, never with --quiet', () => {
    expect(showProgress({}, { isTTY: false })).toBe(false);
    expect(showProgress({}, { isTTY: true })).toBe(true);
    expect(showProgress({ verbose: true }, { isTTY: false })).toBe(true);
    expect(showProgress({ quiet: true }, { isTTY: true })).toBe(false);
    expect(showProgress({ quiet: true, verbose: true }, { isTTY: true })).toBe(false);
  });

  it('prints the summary unless --quiet', () => {
    const written: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((s: string) => written.push(s) > 0) as typeof process.stdout.write;
    try {
      printSummary({}, 'one');
      printSummary({ quiet: true }, 'two');
      printSummary({ verbose: true }, 'three');
    } finally {
      process.stdout.write = write;
    }
    expect(written).toEqual(['one\n', 'three\n']);
  });
});
