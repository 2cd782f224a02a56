/** The embedded warehouse is one file: data and views survive closing and reopening it. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { TransientError } from '../../shared/errors.ts';
import { openWarehouse } from '../../warehouse/open.ts';
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
