/**
 * The embedded warehouse is one file: data and views survive closing and
 * reopening it; a path holding anything but a DuckDB database is refused, never
 * opened, overwritten or replaced by an in-memory database.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { TransientError } from '../../shared/errors.ts';
import { duckdbFileState } from '../../warehouse/duckdb-file.ts';
import { NotADuckDBDatabaseError, WarehouseNotFoundError } from '../../warehouse/errors.ts';
import { openWarehouse } from '../../warehouse/open.ts';
import type { WarehouseAccess } from '../../warehouse/access.ts';
import { stagingFields } from '../../warehouse/tables.ts';
import { salesCsvText } from '../util/sales-csv.ts';
import { REPO_ROOT } from '../util/cli.ts';
import { useTempDir } from '../util/tmp.ts';
import { salesJson, sampleRows } from './fixtures.ts';

const dir = useTempDir('salesflow-duckdb-file-');

it('keeps tables, rows and views across reopen; ensure on an existing file changes nothing', async () => {
  const spec = `duckdb:${join(dir(), 'deep', 'er', 'w.duckdb')}`;
  const rows = sampleRows(12, 41);
  const first = await openWarehouse(spec, { access: 'pipeline' });
  expect(first.dialect).toBe('duckdb');
  await first.ensure();
  await first.insertRows(
    'silver_sales',
    rows.map((r) => ({ insertId: r.id, row: salesJson(r) })),
  );
  const before = await first.query('SELECT * FROM gold_sales_by_category ORDER BY product_category');
  await first.close();

  const again = await openWarehouse(spec, { access: 'pipeline' });
  await again.ensure();
  const after = await again.query('SELECT * FROM gold_sales_by_category ORDER BY product_category');
  expect(after.rows).toEqual(before.rows);
  expect((await again.query('SELECT COUNT(*) AS n FROM silver_sales')).rows).toEqual([{ n: 12 }]);
  await again.close();
});

it('scratch tables load and query like any table but never reach the file', async () => {
  const spec = `duckdb:${join(dir(), 'scratch.duckdb')}`;
  const w = await openWarehouse(spec, { access: 'pipeline' });
  await w.createTable('stage_x', stagingFields(), { replace: true, scratch: true });
  const csv = join(dir(), 'x.csv');
  writeFileSync(csv, `${salesCsvText(sampleRows(5, 42))}`);
  expect((await w.load(csv, 'stage_x', { format: 'CSV' })).rows).toBe(5);
  expect((await w.query('SELECT COUNT(*) AS n FROM stage_x')).rows).toEqual([{ n: 5 }]);
  const kind = await w.query("SELECT temporary FROM duckdb_tables() WHERE table_name = 'stage_x'");
  expect(kind.rows).toEqual([{ temporary: true }]);
  await w.close();
  const again = await openWarehouse(spec, { access: 'pipeline' });
  expect((await again.query("SELECT COUNT(*) AS n FROM duckdb_tables() WHERE table_name = 'stage_x'")).rows).toEqual([
    { n: 0 },
  ]);
  await again.close();
});

it('a file another process holds open is a transient error (retry when it closes), not a failed query', async () => {
  const path = join(dir(), 'held.duckdb');
  const holder = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { DuckDBInstance } from '@duckdb/node-api';
       const db = await DuckDBInstance.create(${JSON.stringify(path)});
       await (await db.connect()).run('CREATE TABLE t (x INT)');
       process.stdout.write('held\\n');
       process.stdin.resume();
       process.stdin.on('end', () => process.exit(0));`,
    ],
    { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  try {
    await once(holder.stdout, 'data');
    const err = await openWarehouse(`duckdb:${path}`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toContain('in use by another process');
  } finally {
    holder.stdin.end();
    await once(holder, 'exit');
  }
  const w = await openWarehouse(`duckdb:${path}`);
  await w.close();
});

/** A database made by @duckdb/node-api itself, not by the code under test. */
async function realDuckDBFile(path: string): Promise<void> {
  const db = await DuckDBInstance.create(path);
  const conn = await db.connect();
  await conn.run('CREATE TABLE t AS SELECT 42 AS x');
  conn.closeSync();
  db.closeSync();
}

/** A real Parquet file (DuckDB's COPY, in memory). */
async function realParquetFile(path: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`COPY (SELECT 1 AS x) TO '${path.replaceAll("'", "''")}' (FORMAT parquet)`);
  conn.closeSync();
  db.closeSync();
}

describe('a DuckDB warehouse path that holds something else', () => {
  it('is told apart by the DUCK magic at byte 8 of a file @duckdb/node-api made, not by its name', async () => {
    const base = join(dir(), 'state');
    mkdirSync(base);
    await realDuckDBFile(join(base, 'real.parquet'));
    expect(readFileSync(join(base, 'real.parquet')).subarray(8, 12).toString()).toBe('DUCK');
    expect(duckdbFileState(join(base, 'real.parquet'))).toBe('database');
    await realParquetFile(join(base, 'p.parquet'));
    expect(duckdbFileState(join(base, 'p.parquet'))).toBe('foreign');
    writeFileSync(join(base, 'short'), 'DUCK');
    expect(duckdbFileState(join(base, 'short'))).toBe('foreign');
    writeFileSync(join(base, 'empty.duckdb'), '');
    expect(duckdbFileState(join(base, 'empty.duckdb'))).toBe('empty');
    expect(duckdbFileState(join(base, 'none.duckdb'))).toBe('missing');
    expect(duckdbFileState(base)).toBe('folder');
  });

  const foreign: [string, (path: string) => Promise<void> | void][] = [
    ['a CSV', (p) => writeFileSync(p, 'transaction_id,customer_id\nTX-1,7\n')],
    ['a Parquet file', realParquetFile],
    ['random bytes', (p) => writeFileSync(p, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)))],
  ];
  const names: Record<string, string> = {
    'a CSV': 'sales.csv',
    'a Parquet file': 'part.parquet',
    'random bytes': 'w.duckdb',
  };
  const accesses: WarehouseAccess[] = ['pipeline', 'write', 'read'];

  it.each(foreign)('%s is refused (exit 2) by every handle, and left byte for byte as it was', async (kind, make) => {
    const base = join(dir(), kind.replace(/\W+/g, '-'));
    mkdirSync(base);
    const path = join(base, names[kind]);
    await make(path);
    const before = readFileSync(path);
    for (const access of accesses) {
      const err = await openWarehouse(`duckdb:${path}`, { access }).then(
        async (w) => {
          await w.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(err, access).toBeInstanceOf(NotADuckDBDatabaseError);
      expect((err as NotADuckDBDatabaseError).exitCode).toBe(2);
      expect((err as Error).message).toContain(`not a DuckDB database: ${path}`);
    }
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(base)).toEqual([names[kind]]);
  });

  it('a folder is refused too', async () => {
    const base = join(dir(), 'a-folder');
    mkdirSync(base);
    const err = await openWarehouse(`duckdb:${base}`, { access: 'pipeline' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotADuckDBDatabaseError);
    expect((err as Error).message).toContain(`not a DuckDB database: ${base} (a folder)`);
  });

  it('an empty file is no warehouse yet: a read says so, a loader creates the warehouse there', async () => {
    const path = join(dir(), 'touched.duckdb');
    writeFileSync(path, '');
    await expect(openWarehouse(`duckdb:${path}`)).rejects.toBeInstanceOf(WarehouseNotFoundError);
    await expect(openWarehouse(`duckdb:${path}`, { access: 'pipeline', mustExist: true })).rejects.toBeInstanceOf(
      WarehouseNotFoundError,
    );
    expect(readFileSync(path).length).toBe(0);
    const w = await openWarehouse(`duckdb:${path}`, { access: 'pipeline' });
    await w.ensure();
    await w.close();
    expect(duckdbFileState(path)).toBe('database');
    const r = await openWarehouse(`duckdb:${path}`);
    expect((await r.query('SELECT COUNT(*) AS n FROM silver_sales')).rows).toEqual([{ n: 0 }]);
    await r.close();
    expect(existsSync(`${path}.wal`)).toBe(false);
  });
});
