/** `salesflow query` through the real binary: flags, formats, exit codes. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/errors.ts';
import { openWarehouse } from '../../warehouse/open.ts';
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
      '--ensure',
    ]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([{ d: '2024-02-29', n: 42, s: "a'b" }]);
  });

  it('runs an example query on a fresh embedded warehouse created by --ensure', async () => {
    const r = await runSalesflow([
      'query',
      '--example',
      'top_customers',
      '-p',
      'limit=3',
      '--warehouse',
      `duckdb:${join(dir(), 'e.duckdb')}`,
      '--ensure',
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
    const bad = await runSalesflow([
      'query',
      'SELEC 1',
      '--warehouse',
      `duckdb:${join(dir(), 'bad.duckdb')}`,
      '--ensure',
    ]);
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

describe('salesflow query is confined to the warehouse', () => {
  const secret = 'analysts-must-not-see-this-51b2';
  /** A DuckDB warehouse with the tables and 3 load_log rows, made through the pipelines' handle. */
  async function seeded(name: string): Promise<string> {
    const spec = `duckdb:${join(dir(), name)}`;
    const w = await openWarehouse(spec, { access: 'pipeline' });
    await w.ensure();
    await w.run(
      "INSERT INTO load_log (file, attempt, status, started_at) VALUES ('a', 1, 'loaded', now()), ('b', 1, 'loaded', now()), ('c', 1, 'loaded', now())",
    );
    await w.close();
    return spec;
  }
  async function logRows(spec: string): Promise<number> {
    const w = await openWarehouse(spec);
    try {
      return Number((await w.query('SELECT COUNT(*) AS n FROM load_log')).rows[0].n);
    } finally {
      await w.close();
    }
  }

  it('reads no file, writes no file, attaches nothing, runs one statement — also with --allow-writes', async () => {
    const spec = await seeded('confined.duckdb');
    const secretFile = join(dir(), 'secret.txt');
    writeFileSync(secretFile, secret);
    const copied = join(dir(), 'copied.csv');
    const script = join(dir(), 'script.sql');
    writeFileSync(script, '-- looks harmless\nSELECT COUNT(*) FROM load_log;\nDELETE FROM load_log;\n');
    const attempts = [
      ['query', `SELECT content FROM read_text('${secretFile}')`],
      ['query', `FROM '${secretFile}'`],
      ['query', `COPY (SELECT 1 AS a) TO '${copied}'`, '--allow-writes'],
      ['query', `ATTACH '${join(dir(), 'other.duckdb')}' AS o`, '--allow-writes'],
      ['query', 'INSTALL httpfs', '--allow-writes'],
      ['query', 'SET enable_external_access = true', '--allow-writes'],
      ['query', '--file', script, '--allow-writes'],
    ];
    for (const args of attempts) {
      const r = await runSalesflow([...args, '--warehouse', spec]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout + r.stderr, args.join(' ')).not.toContain(secret);
    }
    expect(existsSync(copied)).toBe(false);
    expect(existsSync(join(dir(), 'other.duckdb'))).toBe(false);
    expect(await logRows(spec)).toBe(3);
  });

  it('runs a PIVOT as one statement; one carrying a second statement is refused', async () => {
    const spec = await seeded('pivot.duckdb');
    const pivot = 'PIVOT silver_sales ON sales_region USING sum(sale_amount) GROUP BY product_category';
    const ok = await runSalesflow(['query', pivot, '--warehouse', spec, '-f', 'csv']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^product_category/);
    const refused = await runSalesflow([
      'query',
      `${pivot}; DELETE FROM load_log`,
      '--warehouse',
      spec,
      '--allow-writes',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/one statement at a time, please \(this SQL holds 2\)/);
    expect(await logRows(spec)).toBe(3);
  });

  it('changes data only with --allow-writes, and says so when refusing', async () => {
    const spec = await seeded('writes.duckdb');
    const refused = await runSalesflow(['query', "DELETE FROM load_log WHERE file = 'a'", '--warehouse', spec]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/read-only.*--allow-writes/);
    expect(await logRows(spec)).toBe(3);
    const allowed = await runSalesflow([
      'query',
      "DELETE FROM load_log WHERE file = 'a'",
      '--warehouse',
      spec,
      '--allow-writes',
    ]);
    expect(allowed.code).toBe(0);
    expect(await logRows(spec)).toBe(2);
  });

  it('a dropped table is reported, never re-created empty by a later query', async () => {
    const spec = await seeded('dropped.duckdb');
    expect((await runSalesflow(['query', 'DROP TABLE silver_sales', '--warehouse', spec, '--allow-writes'])).code).toBe(
      0,
    );
    for (const sql of [
      'SELECT COUNT(*) FROM silver_sales',
      'SELECT * FROM gold_top_customers',
      'SELECT COUNT(*) FROM silver_sales',
    ]) {
      const r = await runSalesflow(['query', sql, '--warehouse', spec]);
      expect(r.code, sql).toBe(2);
      expect(r.stderr, sql).toMatch(/no table or view silver_sales/);
    }
    const w = await openWarehouse(spec);
    expect((await w.query("SELECT COUNT(*) AS n FROM duckdb_tables() WHERE table_name = 'silver_sales'")).rows).toEqual(
      [{ n: 0 }],
    );
    await w.close();
  });

  it('a missing warehouse is an error that points at where data is, and nothing is created', async () => {
    const path = join(dir(), 'never', 'made.duckdb');
    const r = await runSalesflow(['query', 'SELECT 1', '--warehouse', `duckdb:${path}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no warehouse at .*made\.duckdb/);
    expect(r.stderr).toMatch(/pipeline batch/);
    expect(r.stderr).toMatch(/data\/demo\/warehouse\.duckdb/);
    expect(existsSync(join(dir(), 'never'))).toBe(false);
  });

  it('on BigQuery, a dry run refuses changes unless --allow-writes', async () => {
    const bq = await startBigQueryServer({ projectId: 'cli-ro' });
    try {
      const base = ['--warehouse', 'bigquery:cli-ro.sales', '--bigquery-endpoint', bq.url];
      expect((await runSalesflow(['query', 'SELECT 1 AS a', ...base, '--ensure'])).code).toBe(0);
      const refused = await runSalesflow(['query', 'DROP TABLE silver_sales', ...base]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/read-only.*DROP_TABLE/);
      const still = await runSalesflow(['query', 'SELECT COUNT(*) AS n FROM silver_sales', ...base, '-f', 'csv']);
      expect(still.stdout).toBe('n\n0\n');
      const script = await runSalesflow(['query', 'SELECT 1; DROP TABLE silver_sales', ...base, '--allow-writes']);
      expect(script.code).toBe(2);
      const exported = await runSalesflow([
        'query',
        "EXPORT DATA OPTIONS (uri = 'gs://x/y-*.csv', format = 'CSV') AS SELECT 1 AS a",
        ...base,
        '--allow-writes',
      ]);
      expect(exported.code).toBe(2);
      expect((await runSalesflow(['query', 'DROP TABLE silver_sales', ...base, '--allow-writes'])).code).toBe(0);
    } finally {
      await bq.stop();
    }
  });
});
