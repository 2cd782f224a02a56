/** The real binary: output formats, exit codes, --help. */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderReports } from '../../aggregate/output.ts';
import { buildQueries } from '../../aggregate/query.ts';
import { aggregate } from '../../aggregate/run.ts';
import { generateSales, writeSalesLake } from '../util/sales-lake.ts';
import { runSalesflow } from '../util/cli.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-aggregate-cli-');
let lake: string;

beforeAll(async () => {
  lake = join(tmp(), 'lake');
  await writeSalesLake(generateSales(3_000, 11), join(tmp(), 'sales.csv'), lake);
});

describe('salesflow aggregate', () => {
  it('prints both standard reports as aligned tables (arrow engine: workers start from the CLI too)', async () => {
    const r = await runSalesflow(['aggregate', lake, '-e', 'arrow', '--workers', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Total sale_amount per product_category');
    expect(lines[1]).toMatch(/^product_category\s+sum$/);
    expect(r.stdout).toContain('Average sale_amount per sales_region');
    // Right-aligned amounts: every data row of a report has the same width.
    const rows = lines.slice(3, 13);
    expect(new Set(rows.map((l) => l.length)).size).toBe(1);
  });

  it('gives exact decimal strings in JSON, equal to the library result', async () => {
    const flags = { by: ['date:month'], metrics: 'sum,avg,count,min,max', where: ['region!=East'] };
    const args = [
      'aggregate',
      lake,
      '--by',
      'date:month',
      '--metrics',
      flags.metrics,
      '-w',
      'region!=East',
      '-f',
      'json',
    ];
    const r = await runSalesflow(args);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.reports[0].columns).toEqual(['month', 'sum', 'avg', 'count', 'min', 'max']);
    expect(parsed.reports[0].rows[0]).toMatchObject({ month: '2024-01', sum: expect.stringMatching(/^\d+\.\d\d$/) });
    expect(typeof parsed.reports[0].rows[0].count).toBe('number');
    const lib = await aggregate({ source: lake, engine: 'arrow', workers: 0, queries: buildQueries(flags) });
    expect(r.stdout).toBe(renderReports(lib.reports, 'json'));
  });

  it('writes CSV with --top', async () => {
    const r = await runSalesflow(['aggregate', lake, '--by', 'customer', '-m', 'sum', '--top', '3', '-f', 'csv']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('customer_id,sum');
    expect(lines).toHaveLength(4);
    const sums = lines.slice(1).map((l) => Number(l.split(',')[1]));
    expect([...sums].sort((a, b) => b - a)).toEqual(sums);
  });

  it.each([[['--by', 'colour'], /unknown --by column "colour"; valid: .*sales_region \(region\)/]])(
    'exits 2 on invalid flags %j',
    async (flags, message) => {
      const r = await runSalesflow(['aggregate', lake, ...flags]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    },
  );

  it('exits 2 for a missing source', async () => {
    const missing = await runSalesflow(['aggregate', join(tmp(), 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope does not exist/);
  });

  it('teaches with examples in --help', async () => {
    const r = await runSalesflow(['aggregate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/salesflow aggregate data\/lake --by date:month/);
    expect(r.stdout).toMatch(/rounded half away from zero/);
  });
});
