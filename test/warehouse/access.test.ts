/**
 * Analysts' SQL runs confined: a read handle (openWarehouse's default) answers
 * one SELECT-like statement and nothing else; a write handle may also change the
 * warehouse's own tables. Neither reaches files, other databases, settings or
 * extensions, and neither creates a missing warehouse or table.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../warehouse/open.ts';
import type { WarehouseAccess } from '../../warehouse/access.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { type RunningBigQueryServer, startBigQueryServer } from '../util/bigquery-server/index.ts';
import { useTempDir } from '../util/tmp.ts';
import { salesJson, sampleRows } from './fixtures.ts';

const dir = useTempDir('salesflow-access-');
const SECRET_TEXT = 'not-for-analysts-7f3a';

/** Tables, `rows` silver rows and one loaded load_log row per file, through the pipelines' handle (either dialect). */
async function seed(w: Warehouse, rows: number, files: readonly string[]): Promise<void> {
  await w.ensure();
  await w.insertRows(
    'silver_sales',
    sampleRows(rows, rows).map((r) => ({ row: salesJson(r) })),
  );
  const values = files.map((_, i) => `(@f${i}, 1, 'loaded', @at)`).join(', ');
  const params = Object.fromEntries(files.map((f, i) => [`f${i}`, f]));
  await w.run(`INSERT INTO load_log (file, attempt, status, started_at) VALUES ${values}`, {
    params: { ...params, at: { type: 'TIMESTAMP', value: '2024-01-01T00:00:00Z' } },
  });
}

/** A warehouse file with the tables, 6 silver rows and 2 load_log rows. */
async function seededDuckDB(name: string): Promise<string> {
  const spec = `duckdb:${join(dir(), name)}`;
  await withHandle(spec, 'pipeline', (w) => seed(w, 6, ['a.csv', 'b.csv']));
  return spec;
}

async function counts(spec: string): Promise<{ silver: number; log: number }> {
  const w = await openWarehouse(spec);
  try {
    const r = await w.query(
      'SELECT (SELECT COUNT(*) FROM silver_sales) AS silver, (SELECT COUNT(*) FROM load_log) AS log',
    );
    return r.rows[0] as { silver: number; log: number };
  } finally {
    await w.close();
  }
}

async function withHandle<T>(spec: string, access: WarehouseAccess, fn: (w: Warehouse) => Promise<T>): Promise<T> {
  const w = await openWarehouse(spec, { access });
  try {
    return await fn(w);
  } finally {
    await w.close();
  }
}

/** Statements no analyst handle runs, whatever the access: files, databases, settings, extensions, scripts. */
function outsideStatements(d: string) {
  const secret = join(d, 'secret.txt');
  writeFileSync(secret, SECRET_TEXT);
  return {
    secret,
    written: [join(d, 'copied.csv'), join(d, 'other.duckdb'), join(d, 'exported')],
    statements: [
      `SELECT * FROM read_text('${secret}')`,
      `SELECT * FROM read_csv('${secret}', header = false)`,
      `SELECT * FROM '${secret}'`,
      `SELECT * FROM glob('${d}/*')`,
      `COPY (SELECT * FROM silver_sales) TO '${join(d, 'copied.csv')}'`,
      `COPY silver_sales TO '${join(d, 'copied.csv')}'`,
      `ATTACH '${join(d, 'other.duckdb')}' AS other`,
      `EXPORT DATABASE '${join(d, 'exported')}'`,
      'INSTALL httpfs',
      'LOAD httpfs',
      'SET enable_external_access = true',
      'SET lock_configuration = false',
      'RESET enable_external_access',
      'PRAGMA enable_profiling',
      'PRAGMA version',
      'CALL pragma_version()',
      'CHECKPOINT',
      'SET VARIABLE x = 1',
      'SELECT 1; DELETE FROM load_log',
      'SELECT COUNT(*) FROM silver_sales;\nDROP TABLE load_log;',
      'SELECT 1; SELECT 2',
      // A PIVOT is one statement (DuckDB runs it as several), so it does not carry another along…
      'PIVOT silver_sales ON sales_region USING count(*); DROP TABLE load_log',
      'PIVOT silver_sales ON sales_region USING count(*);\nDELETE FROM load_log;',
      "CREATE TEMP TYPE __pivot_enum_x AS ENUM ('a'); SELECT 1",
      // … nor reaches outside, in its source or its values.
      `PIVOT (SELECT * FROM read_csv('${secret}', header = false)) ON column0`,
      `PIVOT silver_sales ON (SELECT content FROM read_text('${secret}')) USING count(*)`,
      `SELECT * FROM (PIVOT (FROM read_text('${secret}')) ON content)`,
      `COPY (PIVOT silver_sales ON sales_region USING count(*)) TO '${join(d, 'copied.csv')}'`,
      'BEGIN TRANSACTION',
      'DETACH memory',
    ],
  };
}

/** Every statement of outsideStatements is refused (exit 2) on a fresh warehouse, leaking nothing and changing nothing. */
async function expectConfined(name: string, access: WarehouseAccess): Promise<void> {
  const spec = await seededDuckDB(name);
  const d = join(dir(), `outside-${access}`);
  mkdirSync(d, { recursive: true });
  const { statements, written } = outsideStatements(d);
  await withHandle(spec, access, async (w) => {
    for (const sql of statements) {
      const err = await w.run(sql).then(
        () => new Error(`ran: ${sql}`),
        (e: Error) => e,
      );
      expect(err, sql).toMatchObject({ exitCode: 2 });
      expect(err.message, sql).not.toContain(SECRET_TEXT);
      // queryPages goes through the same check as run.
      await expect(w.query(sql), sql).rejects.toMatchObject({ exitCode: 2 });
    }
  });
  for (const f of written) expect(existsSync(f), f).toBe(false);
  expect(await counts(spec)).toEqual({ silver: 6, log: 2 });
}

describe('DuckDB: a read handle', () => {
  let spec: string;
  beforeAll(async () => {
    spec = await seededDuckDB('read.duckdb');
  });

  it('answers queries: SELECT, WITH, FROM-first, DESCRIBE, named parameters, the gold views', async () => {
    await withHandle(spec, 'read', async (w) => {
      expect((await w.query('SELECT COUNT(*) AS n FROM silver_sales')).rows).toEqual([{ n: 6 }]);
      expect((await w.query('WITH x AS (SELECT 2 AS v) SELECT v FROM x')).rows).toEqual([{ v: 2 }]);
      expect((await w.query('FROM load_log SELECT file ORDER BY file')).rows).toEqual([
        { file: 'a.csv' },
        { file: 'b.csv' },
      ]);
      expect((await w.query('DESCRIBE load_log')).rows.length).toBeGreaterThan(5);
      expect((await w.query('SELECT @n + 1 AS n', { params: { n: 41 } })).rows).toEqual([{ n: 42 }]);
      expect((await w.query('SELECT SUM(transactions) AS n FROM gold_sales_by_category')).rows).toEqual([{ n: 6 }]);
      // Timestamps stay UTC, as on BigQuery, although the settings are locked.
      expect((await w.query("SELECT current_setting('TimeZone') AS tz")).rows).toEqual([{ tz: 'UTC' }]);
    });
  });

  it('runs a PIVOT as one read-only statement, whether DuckDB needs the column values first or not', async () => {
    await withHandle(spec, 'read', async (w) => {
      const expected = (
        await w.query(
          'SELECT product_category, sales_region, SUM(sale_amount) AS s FROM silver_sales GROUP BY ALL ORDER BY ALL',
        )
      ).rows;
      const pivoted = await w.query(
        'PIVOT silver_sales ON sales_region USING sum(sale_amount) GROUP BY product_category ORDER BY product_category',
      );
      const cells = pivoted.rows.flatMap((r) =>
        Object.entries(r)
          .filter(([k, v]) => k !== 'product_category' && v !== null)
          .map(([k, v]) => ({ product_category: r.product_category, sales_region: k, s: v })),
      );
      expect(
        cells.sort((a, b) =>
          `${a.product_category}${a.sales_region}`.localeCompare(`${b.product_category}${b.sales_region}`),
        ),
      ).toEqual(expected);
      // Two pivot columns (two enums), in a subquery, as `run`, and with the values listed.
      expect(
        (
          await w.query(
            'PIVOT (SELECT sales_region, product_category FROM silver_sales) ON sales_region, product_category USING count(*)',
          )
        ).rows,
      ).toHaveLength(1);
      expect(
        (await w.query('SELECT COUNT(*) AS n FROM (PIVOT silver_sales ON sales_region GROUP BY product_category)'))
          .rows,
      ).toEqual([{ n: new Set(expected.map((r) => r.product_category)).size }]);
      await w.run('PIVOT silver_sales ON sales_region USING count(*);');
      const regions = [...new Set(expected.map((r) => String(r.sales_region)))];
      const listed = regions.map((r) => `'${r}'`).join(', ');
      const byCategory = 'USING count(*) GROUP BY product_category ORDER BY product_category';
      expect((await w.query(`PIVOT silver_sales ON sales_region IN (${listed}) ${byCategory}`)).rows).toEqual(
        (await w.query(`PIVOT silver_sales ON sales_region ${byCategory}`)).rows,
      );
      // Parameters only where the values are listed (DuckDB refuses them in the source of one that reads them).
      const withParam = `PIVOT (SELECT sales_region FROM silver_sales WHERE customer_id > @c) ON sales_region IN (${listed}) USING count(*)`;
      expect((await w.query(withParam, { params: { c: 0 } })).rows).toHaveLength(1);
      const unpivoted = await w.query('UNPIVOT (SELECT 1 AS a, 2 AS b) ON a, b INTO NAME k VALUE v ORDER BY k');
      expect(unpivoted.rows).toEqual([
        { k: 'a', v: 1 },
        { k: 'b', v: 2 },
      ]);
    });
    expect(await counts(spec)).toEqual({ silver: 6, log: 2 });
  });

  it('refuses a PIVOT that would write, naming why', async () => {
    await withHandle(spec, 'read', async (w) => {
      for (const sql of [
        'CREATE TABLE p AS PIVOT silver_sales ON sales_region USING count(*)',
        "CREATE TABLE p AS PIVOT silver_sales ON sales_region IN ('North') USING count(*)",
        'INSERT INTO load_log PIVOT silver_sales ON sales_region USING count(*)',
      ]) {
        await expect(w.run(sql), sql).rejects.toMatchObject({ exitCode: 2 });
      }
    });
    await withHandle(spec, 'write', async (w) => {
      await expect(w.run('CREATE TABLE p AS PIVOT silver_sales ON sales_region USING count(*)')).rejects.toMatchObject({
        exitCode: 2,
        message: expect.stringMatching(/as 4 statements; a PIVOT .* IN \('a', 'b'\)/),
      });
    });
    await withHandle(spec, 'read', async (w) => {
      expect((await w.query("SELECT COUNT(*) AS n FROM duckdb_tables() WHERE table_name = 'p'")).rows).toEqual([
        { n: 0 },
      ]);
    });
  });

  it.each([
    'DELETE FROM load_log',
    "UPDATE load_log SET status = 'rejected'",
    "INSERT INTO load_log (file, attempt, status, started_at) VALUES ('x', 1, 'loaded', now())",
    'DROP TABLE silver_sales',
    'DROP VIEW gold_top_customers',
    'CREATE TABLE t AS SELECT 1 AS a',
    'CREATE TEMP TABLE t AS SELECT 1 AS a',
    'ALTER TABLE load_log ADD COLUMN x INTEGER',
    'TRUNCATE load_log',
    "MERGE INTO load_log USING (SELECT 'a.csv' AS f) s ON load_log.file = s.f WHEN MATCHED THEN DELETE",
  ])('refuses a change to the warehouse: %s', async (sql) => {
    await withHandle(spec, 'read', async (w) => {
      await expect(w.query(sql)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/read-only/) });
      await expect(w.run(sql)).rejects.toMatchObject({ exitCode: 2 });
    });
    expect(await counts(spec)).toEqual({ silver: 6, log: 2 });
  });

  it('refuses every way out of the warehouse, and nothing outside it is read or written', () =>
    expectConfined('read-outside.duckdb', 'read'));

  it('never creates: no tables on a read handle, no warehouse file where there is none', async () => {
    await withHandle(spec, 'read', async (w) => {
      await expect(w.ensure()).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/read-only/) });
      await expect(w.insertRows('silver_sales', [{ row: {} }])).rejects.toMatchObject({ exitCode: 2 });
    });
    const missing = join(dir(), 'nested', 'missing.duckdb');
    await expect(openWarehouse(`duckdb:${missing}`)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/no warehouse at .*missing\.duckdb/),
    });
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(join(dir(), 'nested'))).toBe(false);
  });

  it('reports a dropped table by name and leaves it dropped', async () => {
    const dropped = await seededDuckDB('dropped.duckdb');
    await withHandle(dropped, 'write', (w) => w.run('DROP TABLE silver_sales CASCADE'));
    for (let i = 0; i < 2; i++) {
      await withHandle(dropped, 'read', async (w) => {
        await expect(w.query('SELECT COUNT(*) AS n FROM silver_sales')).rejects.toMatchObject({
          exitCode: 2,
          message: expect.stringMatching(/no table or view silver_sales/),
        });
      });
    }
    await withHandle(dropped, 'read', async (w) => {
      expect(
        (await w.query("SELECT COUNT(*) AS n FROM duckdb_tables() WHERE table_name = 'silver_sales'")).rows,
      ).toEqual([{ n: 0 }]);
    });
  });
});

describe('ensure() never re-creates a lost table empty', () => {
  it('refuses when load_log says rows were loaded, or data is there without load_log; a new warehouse is created', async () => {
    const silverLost = await seededDuckDB('lost-silver.duckdb');
    await withHandle(silverLost, 'write', (w) => w.run('DROP TABLE silver_sales'));
    const logLost = await seededDuckDB('lost-log.duckdb');
    await withHandle(logLost, 'write', (w) => w.run('DROP TABLE load_log'));
    for (const [spec, message] of [
      [silverLost, /lost silver_sales: load_log records 2 loaded files/],
      [logLost, /lost load_log: silver_sales holds 6 rows/],
    ] as const) {
      for (const access of ['pipeline', 'write'] as const) {
        await withHandle(spec, access, async (w) => {
          await expect(w.ensure()).rejects.toMatchObject({ exitCode: 1, message: expect.stringMatching(message) });
        });
      }
    }
    await withHandle(silverLost, 'read', async (w) => {
      expect(
        (await w.query("SELECT COUNT(*) AS n FROM duckdb_tables() WHERE table_name = 'silver_sales'")).rows,
      ).toEqual([{ n: 0 }]);
    });
    const fresh = `duckdb:${join(dir(), 'fresh.duckdb')}`;
    await withHandle(fresh, 'pipeline', (w) => w.ensure());
    await withHandle(fresh, 'read', async (w) => {
      expect((await w.query('SELECT COUNT(*) AS n FROM silver_sales')).rows).toEqual([{ n: 0 }]);
    });
  });
});

describe('DuckDB: a write handle (salesflow query --allow-writes)', () => {
  it('changes the warehouse one statement at a time', async () => {
    const spec = await seededDuckDB('write.duckdb');
    await withHandle(spec, 'write', async (w) => {
      expect((await w.run("DELETE FROM load_log WHERE file = 'a.csv'")).affectedRows).toBe(1);
      expect((await w.query('SELECT file FROM load_log')).rows).toEqual([{ file: 'b.csv' }]);
      await w.run('CREATE TABLE notes AS SELECT 1 AS a');
      await expect(w.run('DELETE FROM load_log; DELETE FROM silver_sales')).rejects.toMatchObject({
        exitCode: 2,
        message: expect.stringMatching(/one statement/),
      });
    });
    expect(await counts(spec)).toEqual({ silver: 6, log: 1 });
  });

  it('still reaches nothing outside the warehouse', () => expectConfined('write-outside.duckdb', 'write'));
});

describe('BigQuery: statements checked by a dry run first', () => {
  let bq: RunningBigQueryServer;
  /** The tests that only read share the dataset `sales`; one that changes data has a dataset of its own. */
  const open = (access: WarehouseAccess, dataset = 'sales') =>
    openWarehouse(`bigquery:access-proj.${dataset}`, { access, endpoint: bq.url });
  const bqCounts = async (dataset = 'sales') => {
    const w = await open('read', dataset);
    const r = await w.query(
      'SELECT (SELECT COUNT(*) FROM silver_sales) AS silver, (SELECT COUNT(*) FROM load_log) AS log',
    );
    return r.rows[0];
  };

  beforeAll(async () => {
    bq = await startBigQueryServer({ projectId: 'access-proj' });
    await seed(await open('pipeline'), 4, ['a.csv']);
  });
  afterAll(() => bq.stop());

  it('answers SELECTs on a read handle', async () => {
    const w = await open('read');
    expect(
      (await w.query('SELECT COUNT(*) AS n FROM silver_sales WHERE customer_id > @c', { params: { c: 0 } })).rows,
    ).toEqual([{ n: 4 }]);
  });

  it.each([
    'DELETE FROM load_log WHERE TRUE',
    "UPDATE load_log SET status = 'rejected' WHERE TRUE",
    "INSERT INTO load_log (file, attempt, status, started_at) VALUES ('x', 1, 'loaded', CURRENT_TIMESTAMP())",
    'DROP TABLE silver_sales',
    'CREATE TABLE t AS SELECT 1 AS a',
    'CREATE OR REPLACE VIEW gold_top_customers AS SELECT 1 AS a',
    'TRUNCATE TABLE load_log',
    'SELECT 1; DELETE FROM load_log WHERE TRUE',
  ])('a read handle refuses %s, and nothing changes', async (sql) => {
    const w = await open('read');
    await expect(w.query(sql)).rejects.toMatchObject({ exitCode: 2 });
    await expect(w.run(sql)).rejects.toMatchObject({ exitCode: 2 });
    await expect(w.ensure()).rejects.toMatchObject({ exitCode: 2 });
    expect(await bqCounts()).toEqual({ silver: 4, log: 1 });
  });

  it.each([
    "EXPORT DATA OPTIONS (uri = 'gs://elsewhere/x-*.csv', format = 'CSV') AS SELECT * FROM silver_sales",
    "LOAD DATA INTO silver_sales FROM FILES (format = 'CSV', uris = ['gs://elsewhere/x.csv'])",
    "CREATE EXTERNAL TABLE ext OPTIONS (format = 'CSV', uris = ['gs://elsewhere/x.csv'])",
    'SELECT 1; SELECT 2',
    'CALL other.proc()',
  ])('a write handle still refuses %s', async (sql) => {
    const w = await open('write');
    await expect(w.run(sql)).rejects.toMatchObject({ exitCode: 2 });
  });

  it('a write handle changes the dataset; ensure() then refuses to re-create a dropped table empty', async () => {
    await seed(await open('pipeline', 'sales_written'), 4, ['a.csv']);
    const w = await open('write', 'sales_written');
    await w.run(
      "INSERT INTO load_log (file, attempt, status, started_at) VALUES ('b.csv', 1, 'loaded', CURRENT_TIMESTAMP())",
    );
    await w.run("DELETE FROM load_log WHERE file = 'a.csv'");
    expect(await bqCounts('sales_written')).toEqual({ silver: 4, log: 1 });
    await w.run('DROP TABLE silver_sales');
    await expect((await open('pipeline', 'sales_written')).ensure()).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/lost silver_sales: load_log records 1 loaded file /),
    });
  });
});
