/** `salesflow dashboard --out` never writes over (or around) the warehouse it reads. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDBWarehouse } from '../../../warehouse/index.ts';
import { runSalesflow } from '../../util/cli.ts';
import { useTempDir } from '../../util/tmp.ts';

const tmp = useTempDir('salesflow-dashboard-out-');

describe('salesflow dashboard --out', () => {
  it('refuses the warehouse file itself, its write-ahead log or spill folder, or its folder, as --out (exit 2, naming both)', async () => {
    const db = join(tmp(), 'w.duckdb');
    const w = await DuckDBWarehouse.open(db);
    await w.ensure();
    await w.close();
    const before = readFileSync(db);
    // DuckDB keeps committed changes in PATH.wal until a checkpoint (and spills to PATH.tmp/): they are the warehouse too.
    for (const out of [db, tmp(), `${db}.wal`, join(`${db}.tmp`, 'r.html')]) {
      const res = await runSalesflow(['dashboard', '--out', out, '-f', '-w', `duckdb:${db}`]);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toContain(`the warehouse ${db}`);
    }
    expect(readFileSync(db).equals(before)).toBe(true);
  }, 120_000);
});
