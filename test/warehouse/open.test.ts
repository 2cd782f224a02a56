/**
 * openWarehouse loads only the implementation asked for: the commands that
 * reach a warehouse, then a BigQuery (or DuckDB) handle, in a fresh process
 * that records every module it resolves.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const MODULES = [
  '../../pipelines/batch/command.ts',
  '../../pipelines/dims/command.ts',
  '../../warehouse/command.ts',
  '../../warehouse/dashboard/command.ts',
  '../../warehouse/looker-command.ts',
].map((m) => new URL(m, import.meta.url).href);
const OPEN = new URL('../../warehouse/open.ts', import.meta.url).href;

/** The URLs of every module a process resolves while importing the commands and opening `spec`. */
function modulesLoadedOpening(spec: string): string[] {
  const script = `
import { registerHooks } from 'node:module';
const loaded = new Set();
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); loaded.add(r.url); return r; } });
for (const m of ${JSON.stringify(MODULES)}) await import(m);
const { openWarehouse } = await import(${JSON.stringify(OPEN)});
const w = await openWarehouse(${JSON.stringify(spec)}, { endpoint: 'http://127.0.0.1:9', access: 'read' });
await w.close();
process.stdout.write(JSON.stringify([...loaded]));
`;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(res.status, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as string[];
}

describe('openWarehouse', () => {
  it('on BigQuery never loads DuckDB', () => {
    const loaded = modulesLoadedOpening('bigquery:salesflow-test.sales');
    expect(loaded.some((u) => u.includes('/bigquery-warehouse.ts'))).toBe(true);
    expect(loaded.filter((u) => u.includes('/@duckdb/') || u.includes('/duckdb-warehouse.ts'))).toEqual([]);
  });

  it('on DuckDB never loads the BigQuery client', () => {
    const loaded = modulesLoadedOpening('duckdb::memory:');
    expect(loaded.some((u) => u.includes('/duckdb-warehouse.ts'))).toBe(true);
    expect(
      loaded.filter((u) => u.includes('/@google-cloud/bigquery/') || u.includes('/bigquery-warehouse.ts')),
    ).toEqual([]);
  });
});
