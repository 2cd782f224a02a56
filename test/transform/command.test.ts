import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSalesflow, startSalesflow } from '../util/cli.ts';
import { sampleRows, writeSalesCsv } from '../util/sales-csv.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-to-parquet-cli-');
// Each spawn loads the whole CLI (every command's dependencies): on the shared 2-core machine
// under load that alone took 10+ s, so these tests get more than the default 60 s.
const CLI_TIMEOUT = 180_000;

describe('salesflow to-parquet (CLI)', () => {
  it('--help teaches with examples', { timeout: CLI_TIMEOUT }, async () => {
    const res = await runSalesflow(['to-parquet', '--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Examples:');
    expect(res.stdout).toContain('-p region,category -f');
    expect(res.stdout).toContain('--max-errors');
  });

  it.each([
    ['a folder under a regular file', () => join(tmp(), 'a-file', 'lake')],
    ['a name too long for its temp sibling', () => join(tmp(), 'n'.repeat(245))],
    ['a folder under /proc', () => '/proc/salesflow-test/lake'],
  ])('an unwritable OUTDIR (%s) exits 1 promptly, naming it', { timeout: CLI_TIMEOUT }, async (_what, outDir) => {
    const csv = join(tmp(), 'unwritable.csv');
    writeSalesCsv(csv, sampleRows(50));
    writeFileSync(join(tmp(), 'a-file'), 'not a folder\n');
    const out = outDir();
    const res = await runSalesflow(['to-parquet', csv, '-o', out, '-p', 'region'], { timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toContain(`cannot write ${out}`);
    expect(existsSync(out)).toBe(false);
  });

  it('-p customer and a run past --max-partitions are refused with exit 2 and no output', {
    timeout: CLI_TIMEOUT,
  }, async () => {
    const csv = join(tmp(), 'card.csv');
    writeSalesCsv(csv, sampleRows(200));
    const out = join(tmp(), 'card-lake');
    const customer = await runSalesflow(['to-parquet', csv, '-o', out, '-p', 'customer']);
    expect(customer.code).toBe(2);
    expect(customer.stderr).toContain('cannot partition by customer_id (a folder per customer)');
    const dates = await runSalesflow(['to-parquet', csv, '-o', out, '-p', 'date', '--max-partitions', '3']);
    expect(dates.code).toBe(2);
    expect(dates.stderr).toMatch(/more than 3 partitions .* raise --max-partitions/);
    expect(existsSync(out)).toBe(false);
  });

  it('an invalid flag value exits 2 naming the flag', { timeout: CLI_TIMEOUT }, async () => {
    // (Unknown columns and choices are usage errors of the library and yargs, tested there.)
    const csv = join(tmp(), 'flags.csv');
    writeSalesCsv(csv, sampleRows(5));
    const neg = await runSalesflow(['to-parquet', csv, '-o', join(tmp(), 'x'), '-p', 'region', '--max-errors', '-1']);
    expect(neg.code).toBe(2);
    expect(neg.stderr).toContain('--max-errors must be a whole number ≥ 0');
  });

  it('converts with a summary line; exit 3 when rows were rejected; exit 2 when OUTDIR exists', {
    timeout: CLI_TIMEOUT,
  }, async () => {
    const csv = join(tmp(), 'cli.csv');
    writeSalesCsv(csv, sampleRows(200), ['TX-bad,1,2024-01-01,abc,Books,North']);
    const out = join(tmp(), 'cli-lake');
    // Flags before INPUT: -p must not swallow it.
    const res = await runSalesflow([
      'to-parquet',
      '-p',
      'region',
      csv,
      '-o',
      out,
      '--max-errors',
      '1',
      '--workers',
      '1',
    ]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(3);
    expect(res.stdout).toMatch(
      /^200 rows → .*cli-lake: 5 partitions, 5 files, .* 1 rejected \(see .*_rejects\/rejects\.ndjson\)\n$/,
    );
    expect(existsSync(join(out, '_SUCCESS'))).toBe(true);
    const again = await runSalesflow(['to-parquet', csv, '-o', out, '-p', 'region']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists; use -f/--force to replace it');
    const failed = await runSalesflow(['to-parquet', csv, '-o', join(tmp(), 'strict-lake'), '-p', 'region']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`${csv}:202: sale_amount "abc" is not a decimal number`);
    expect(existsSync(join(tmp(), 'strict-lake'))).toBe(false);
  });

  it('a killed run leaves no OUTDIR that looks complete', { timeout: CLI_TIMEOUT }, async () => {
    const csv = join(tmp(), 'kill.csv');
    writeSalesCsv(csv, sampleRows(80_000, 5));
    const out = join(tmp(), 'kill-lake');
    const child = startSalesflow(['to-parquet', csv, '-o', out, '-p', 'region']);
    // Kill as soon as the temporary sibling folder exists, i.e. mid-run.
    const started = Date.now();
    while (!readdirSync(tmp()).some((n) => n.startsWith('.kill-lake.tmp-')) && Date.now() - started < 30_000) {
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await child.exited;
    expect(existsSync(out)).toBe(false);
    // Whatever the leftover temp folder holds, it has no _SUCCESS or manifest.
    for (const n of readdirSync(tmp()).filter((x) => x.startsWith('.kill-lake.tmp-'))) {
      expect(existsSync(join(tmp(), n, '_SUCCESS'))).toBe(false);
      expect(existsSync(join(tmp(), n, '_manifest.json'))).toBe(false);
    }
    // The next run cleans up the dead run's temp folder and completes.
    expect(readdirSync(tmp()).some((x) => x.startsWith('.kill-lake.tmp-'))).toBe(true);
    const rerun = await runSalesflow(['to-parquet', csv, '-o', out, '-p', 'region']);
    expect(rerun.code).toBe(0);
    expect(readdirSync(tmp()).filter((x) => x.startsWith('.kill-lake.tmp-'))).toEqual([]);
    expect(existsSync(join(out, '_SUCCESS'))).toBe(true);
  });
});
