/** `salesflow query` through the real binary: flags, formats, exit codes. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/errors.ts';
import { describeColumns, describeWarehouseObjects, resolveQueryInput } from '../../warehouse/query.ts';
import { startBigQueryServer } from '../util/bigquery-server/index.ts';
import { runSalesflow } from '../util/cli.ts';
import { useTempDir } from '../util/tmp.ts';

const dir = useTempDir('salesflow-query-cli-');

describe('salesflow query', () => {
  it('lists tables, views and examples with descriptions (what --list prints)', () => {
    const objects = describeWarehouseObjects();
    for (const name of ['bronze_sales', 'silver_sales', 'load_log', 'gold_daily_sales', 'top_customers']) {
      expect(objects.find((o) => o.name === name)?.description).toBeTruthy();
    }
    expect(describeColumns('load_log')?.map((c) => c.name)).toContain('rows_duplicate');
    expect(describeColumns('silver_sales')?.find((c) => c.name === 'sale_amount')?.type).toBe('NUMERIC NOT NULL');
  });

  it('binds --param values and prints JSON', async () => {
    const wh = `duckdb:${join(dir(), 'q.duckdb')}`;
    const sql = 'SELECT @d AS d, @n + 1 AS n, @s AS s';
    const json = await runSalesflow([
      'query',
      sql,
      '--warehouse',
      wh,
      '-p',
      'd=2024-02-29',
      '-p',
      'n=41',
      '-p',
      "s=a'b",
      '-f',
      'json',
    ]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([{ d: '2024-02-29', n: 42, s: "a'b" }]);
  });

  it('runs an example query on a fresh embedded warehouse (tables and views created on first use)', async () => {
    const r = await runSalesflow([
      'query',
      '--example',
      'top_customers',
      '-p',
      'limit=3',
      '--warehouse',
      `duckdb:${join(dir(), 'e.duckdb')}`,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/customer_id\s+total_spent\s+purchases\s+last_purchase/);
  });

  it('runs on BigQuery through --bigquery-endpoint, creating the dataset with --ensure', async () => {
    const bq = await startBigQueryServer({ projectId: 'cli-proj' });
    try {
      const r = await runSalesflow([
        'query',
        'SELECT COUNT(*) AS n, @d AS d FROM silver_sales',
        '--warehouse',
        'bigquery:cli-proj.sales',
        '--bigquery-endpoint',
        bq.url,
        '--ensure',
        '-p',
        'd=2024-01-01',
        '-f',
        'csv',
      ]);
      expect(r.stderr).not.toMatch(/error/);
      expect(r.stdout).toBe('n,d\n0,2024-01-01\n');
    } finally {
      await bq.stop();
    }
  });

  it('exits 2 with a clear message on bad SQL', async () => {
    const bad = await runSalesflow(['query', 'SELEC 1', '--warehouse', `duckdb:${join(dir(), 'bad.duckdb')}`]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/syntax error/i);
  });
});

describe('query input (what the command resolves before running)', () => {
  it('needs exactly one SQL source and merges example defaults with --param', () => {
    expect(() => resolveQueryInput({})).toThrow(UsageError);
    expect(() => resolveQueryInput({ sql: 'SELECT 1', example: 'top_customers' })).toThrow(/only one/);
    expect(() => resolveQueryInput({ example: 'nope' })).toThrow(/available: .*top_customers/);
    const input = resolveQueryInput({ example: 'daily_sales_in_range', params: ['end=2024-01-31'] });
    expect(input.params).toEqual({
      start: { type: 'DATE', value: '2024-01-01' },
      end: { type: 'DATE', value: '2024-01-31' },
    });
  });
});
