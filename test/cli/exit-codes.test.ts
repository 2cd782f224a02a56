/**
 * Every command's exit code in its success, partial, usage and failure
 * situations, through the real binary, against the documented table:
 * 0 ok · 1 the job failed · 2 invalid usage or input refused · 3 finished, some data rejected.
 * No message anywhere shows NaN.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../warehouse/open.ts';
import { REPO_ROOT, runSalesflow } from '../util/cli.ts';
import { salesCsvText, sampleRows } from '../util/sales-csv.ts';
import { generateSales, writeSalesLake } from '../util/sales-lake.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-exit-codes-');
const BAD_ROW = 'TX-BAD-1,7,2024-01-05,-3.00,Books,North';
/** A CSV given as the DuckDB warehouse: refused, never changed. */
const notAWarehouse = salesCsvText(sampleRows(3, 9));

interface Case {
  /** command · situation */
  name: string;
  args: () => string[];
  code: 0 | 1 | 2 | 3;
  /** Something the output (stdout + stderr) must say. */
  says?: RegExp;
}

const d = (...parts: string[]) => join(tmp(), ...parts);
const file = (path: string, text: string) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
};

let lockHolder: ChildProcess | undefined;

beforeAll(async () => {
  file(d('in', 'clean.csv'), salesCsvText(sampleRows(40, 1)));
  file(d('in', 'one-bad.csv'), salesCsvText(sampleRows(40, 2), [BAD_ROW]));
  file(d('in', 'many-bad.csv'), salesCsvText(sampleRows(3, 3), [BAD_ROW, BAD_ROW.replace('BAD-1', 'BAD-2')]));
  file(d('in', 'not-a-folder'), 'a file where a folder is needed');
  file(d('exists.csv'), 'already here');
  await writeSalesLake(generateSales(200, 4), d('lake.csv'), d('lake'));
  file(d('broken-lake', 'sales_region=North', 'part-0.parquet'), 'not parquet at all');
  // Landing areas, one per situation (a pipeline run moves nothing without --archive/--delete-source).
  file(d('land-ok', 'a.csv'), salesCsvText(sampleRows(30, 5)));
  file(d('land-rows', 'a.csv'), salesCsvText(sampleRows(60, 6), [BAD_ROW]));
  file(d('land-file', 'a.csv'), salesCsvText(sampleRows(30, 7)));
  file(d('land-file', 'b.csv'), 'just,two\n1,2\n');
  file(d('land-arch', 'a.csv'), salesCsvText(sampleRows(30, 8)));
  mkdirSync(d('land-empty'));
  file(d('not-a-warehouse.csv'), notAWarehouse);
  file(d('dims', 'customers.csv'), 'customer_id,name,email,city,region\n1,Ann,,,North\n');
  file(d('no-dims', 'sales.csv'), salesCsvText(sampleRows(3, 10)));
  // A warehouse with its tables, and one held open by another process.
  for (const name of ['w.duckdb', 'locked.duckdb']) {
    const w = await openWarehouse(`duckdb:${d(name)}`, { access: 'pipeline' });
    await w.ensure();
    await w.close();
  }
  lockHolder = await holdDuckDB(d('locked.duckdb'));
});

afterAll(() => {
  lockHolder?.kill('SIGKILL');
});

/** A child process that opens a DuckDB file for writing and keeps it; resolves once it holds the lock. */
function holdDuckDB(path: string): Promise<ChildProcess> {
  const code = `import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(${JSON.stringify(path)});
await (await db.connect()).run('SELECT 1');
process.stdout.write('held\\n');
setInterval(() => {}, 1 << 30);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: REPO_ROOT, stdio: 'pipe' });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      if (b.toString().includes('held')) resolve(child);
    });
    child.on('exit', (c) => reject(new Error(`lock holder exited (${c})`)));
  });
}

const w = () => `duckdb:${d('w.duckdb')}`;
const locked = () => `duckdb:${d('locked.duckdb')}`;
const batch =
  (landing: string, ...more: string[]) =>
  () => ['pipeline', 'batch', '-s', d(landing), '-w', `duckdb:${d(`${landing}.duckdb`)}`, ...more];

const CASES: Case[] = [
  // no command
  { name: '(none) · no command lists the commands', args: () => [], code: 2, says: /Commands:[\s\S]*salesflow gen/ },
  { name: '(none) · unknown command', args: () => ['frobnicate'], code: 2 },
  { name: 'pipeline · no pipeline named', args: () => ['pipeline'], code: 2, says: /batch/ },
  // gen
  { name: 'gen · ok', args: () => ['gen', '-n', '50', '-w', '0', '-o', d('out', 'g.csv')], code: 0 },
  { name: 'gen · bad count', args: () => ['gen', '-n', 'lots'], code: 2, says: /"lots"/ },
  { name: 'gen · output exists', args: () => ['gen', '-n', '50', '-o', d('exists.csv')], code: 2 },
  {
    name: 'gen · cannot write',
    args: () => ['gen', '-n', '50', '-w', '0', '-o', d('in', 'not-a-folder', 'g.csv')],
    code: 1,
  },
  // to-parquet
  {
    name: 'to-parquet · ok',
    args: () => ['to-parquet', d('in', 'clean.csv'), '-o', d('tp-ok'), '-p', 'region'],
    code: 0,
  },
  {
    name: 'to-parquet · rows rejected within --max-errors',
    args: () => ['to-parquet', d('in', 'one-bad.csv'), '-o', d('tp-partial'), '-p', 'region', '--max-errors', '5'],
    code: 3,
  },
  {
    name: 'to-parquet · more bad rows than --max-errors',
    args: () => ['to-parquet', d('in', 'many-bad.csv'), '-o', d('tp-fail'), '-p', 'region', '--max-errors', '1'],
    code: 1,
  },
  {
    name: 'to-parquet · missing input',
    args: () => ['to-parquet', d('nope.csv'), '-o', d('tp-x'), '-p', 'region'],
    code: 2,
  },
  {
    name: 'to-parquet · bad --max-errors',
    args: () => ['to-parquet', d('in', 'clean.csv'), '-o', d('tp-y'), '-p', 'region', '--max-errors', 'some'],
    code: 2,
    says: /"some"/,
  },
  // upload
  { name: 'upload · ok', args: () => ['upload', d('in', 'clean.csv'), d('bucket-ok')], code: 0 },
  { name: 'upload · missing source', args: () => ['upload', d('nope.csv'), d('bucket-x')], code: 2 },
  { name: 'upload · bad bucket name', args: () => ['upload', d('in', 'clean.csv'), 'gs://No_Such'], code: 2 },
  {
    name: 'upload · bad --workers',
    args: () => ['upload', d('in', 'clean.csv'), d('b'), '-w', 'many'],
    code: 2,
    says: /"many"/,
  },
  {
    name: 'upload · .. in the address',
    args: () => ['upload', d('in', 'clean.csv'), 'gs://some-bucket/../x'],
    code: 2,
  },
  {
    name: 'upload · destination not writable',
    args: () => ['upload', d('in', 'clean.csv'), d('in', 'not-a-folder', 'bucket')],
    code: 1,
  },
  // aggregate
  { name: 'aggregate · ok', args: () => ['aggregate', d('lake')], code: 0 },
  { name: 'aggregate · missing source', args: () => ['aggregate', d('no-lake')], code: 2 },
  { name: 'aggregate · unknown --by', args: () => ['aggregate', d('lake'), '--by', 'colour'], code: 2 },
  { name: 'aggregate · bad --top', args: () => ['aggregate', d('lake'), '--top', 'ten'], code: 2, says: /"ten"/ },
  { name: 'aggregate · unreadable file', args: () => ['aggregate', d('broken-lake')], code: 1 },
  // pipeline batch
  { name: 'pipeline batch · ok', args: batch('land-ok'), code: 0 },
  { name: 'pipeline batch · rows quarantined', args: batch('land-rows'), code: 3, says: /partial/ },
  { name: 'pipeline batch · a file rejected', args: batch('land-file'), code: 3, says: /rejected b\.csv/ },
  {
    name: 'pipeline batch · loaded, but the archive cannot be written',
    args: batch('land-arch', '--archive', d('in', 'not-a-folder', 'archive')),
    code: 1,
    says: /not disposed of/,
  },
  {
    name: 'pipeline batch · warehouse folder cannot be made (a file in its place)',
    args: () => ['pipeline', 'batch', '-s', d('land-ok'), '-w', `duckdb:${d('in', 'not-a-folder', 'w.duckdb')}`],
    code: 1,
    says: /cannot open DuckDB warehouse .*not-a-folder/,
  },
  { name: 'pipeline batch · source does not exist', args: batch('no-such-landing'), code: 2, says: /does not exist/ },
  {
    name: 'pipeline batch · bad --max-error-rate',
    args: batch('land-ok', '--max-error-rate', 'half'),
    code: 2,
    says: /"half"/,
  },
  {
    name: 'pipeline batch · warehouse locked by another process',
    args: () => ['pipeline', 'batch', '-s', d('land-ok'), '-w', locked()],
    code: 1,
    says: /in use by another process \(PID \d+/,
  },
  { name: 'pipeline batch · empty landing area (nothing new is not an error)', args: batch('land-empty'), code: 0 },
  {
    name: 'pipeline batch · the warehouse inside the landing area',
    args: () => ['pipeline', 'batch', '-s', d('land-ok'), '-w', `duckdb:${d('land-ok', 'w.duckdb')}`],
    code: 2,
    says: /the warehouse .*w\.duckdb is inside --source/,
  },
  {
    name: 'pipeline batch · the warehouse path is a CSV',
    args: () => ['pipeline', 'batch', '-s', d('land-ok'), '-w', `duckdb:${d('not-a-warehouse.csv')}`],
    code: 2,
    says: /not a DuckDB database: .*not-a-warehouse\.csv/,
  },
  // query
  {
    name: 'query · the warehouse path is a CSV',
    args: () => ['query', 'SELECT 1', '-w', `duckdb:${d('not-a-warehouse.csv')}`],
    code: 2,
    says: /not a DuckDB database/,
  },
  { name: 'query · ok', args: () => ['query', 'SELECT COUNT(*) AS n FROM silver_sales', '-w', w()], code: 0 },
  { name: 'query · bad SQL', args: () => ['query', 'SELEC 1', '-w', w()], code: 2 },
  {
    name: 'query · a change without --allow-writes',
    args: () => ['query', 'DELETE FROM load_log', '-w', w()],
    code: 2,
  },
  { name: 'query · no such warehouse', args: () => ['query', 'SELECT 1', '-w', `duckdb:${d('none.duckdb')}`], code: 2 },
  {
    name: 'query · --file that does not exist',
    args: () => ['query', '--file', d('nope.sql'), '-w', w()],
    code: 2,
    says: /nope\.sql.*SQL file does not exist/,
  },
  { name: 'query · bad --page-size', args: () => ['query', 'SELECT 1', '-w', w(), '--page-size', 'big'], code: 2 },
  {
    name: 'query · warehouse locked by another process',
    args: () => ['query', 'SELECT 1', '-w', locked()],
    code: 1,
    says: /in use by another process \(PID \d+/,
  },
  // demo
  {
    name: 'demo · ok (gen only): the step table on stdout, the steps as they start on stderr',
    args: () => ['demo', '-n', '1k', '-d', d('demo-ok'), '--steps', 'gen'],
    code: 0,
    says: /gen\s+ok\s+1000\s+[\d.]+\s+.*sales\.csv[\s\S]*demo ok[\s\S]*▶ gen/,
  },
  {
    name: 'demo · unknown step',
    args: () => ['demo', '--steps', 'gen,nope', '-d', d('demo-x')],
    code: 2,
    says: /unknown demo step nope/,
  },
  { name: 'demo · bad --rows', args: () => ['demo', '-n', 'few', '-d', d('demo-y')], code: 2 },
  {
    name: 'demo · a step fails',
    args: () => ['demo', '-n', '1k', '-d', d('in', 'not-a-folder', 'demo'), '--steps', 'gen'],
    code: 1,
    says: /cannot write .*not-a-folder\/demo/,
  },
  // dashboard (--out: one file and exit)
  { name: 'dashboard · --out ok', args: () => ['dashboard', '--out', d('out', 'report.html'), '-w', w()], code: 0 },
  {
    name: 'dashboard · --out under a file: the output named',
    args: () => ['dashboard', '--out', d('in', 'not-a-folder', 'r.html'), '-w', w()],
    code: 1,
    says: /cannot write .*not-a-folder\/r\.html/,
  },
  {
    name: 'dashboard · --out, no such warehouse (refused, nothing written)',
    args: () => ['dashboard', '--out', d('out', 'never.html'), '-w', `duckdb:${d('none.duckdb')}`],
    code: 2,
    says: /no warehouse at/,
  },
  {
    name: 'dashboard · --out, the warehouse path is a CSV (refused, nothing written)',
    args: () => ['dashboard', '--out', d('out', 'never.html'), '-w', `duckdb:${d('not-a-warehouse.csv')}`],
    code: 2,
    says: /not a DuckDB database/,
  },
  {
    name: 'dashboard · --from after --to',
    args: () => ['dashboard', '--out', d('out', 'never.html'), '-w', w(), '--from', '2025-02-01', '--to', '2025-01-01'],
    code: 2,
  },
  {
    name: 'dashboard · --out, warehouse locked by another process',
    args: () => ['dashboard', '--out', d('out', 'locked.html'), '-w', locked()],
    code: 1,
  },
  {
    name: 'dashboard · bad --port (quoted as typed)',
    args: () => ['dashboard', '--port', 'eighty', '-w', w()],
    code: 2,
    says: /--port must be a whole number from 0 to 65535, got "eighty"/,
  },
  // pipeline dims
  {
    name: 'pipeline dims · source does not exist',
    args: () => ['pipeline', 'dims', d('no-such-dims'), '-w', w()],
    code: 2,
    says: /no-such-dims/,
  },
  {
    name: 'pipeline dims · no dimension files in the folder',
    args: () => ['pipeline', 'dims', d('no-dims'), '-w', w()],
    code: 2,
    says: /looked for customers\*\.csv and products\*\.csv/,
  },
  {
    name: 'pipeline dims · the warehouse inside the folder',
    args: () => ['pipeline', 'dims', d('dims'), '-w', `duckdb:${d('dims', 'w.duckdb')}`],
    code: 2,
    says: /the warehouse .*w\.duckdb is inside source/,
  },
  {
    name: 'pipeline dims · the warehouse path is a CSV',
    args: () => ['pipeline', 'dims', d('dims'), '-w', `duckdb:${d('not-a-warehouse.csv')}`],
    code: 2,
    says: /not a DuckDB database/,
  },
  {
    name: 'pipeline dims · bad --max-error-rate',
    args: () => ['pipeline', 'dims', d('no-dims'), '-w', w(), '--max-error-rate', 'half'],
    code: 2,
    says: /--max-error-rate must be a number from 0 to 1, got "half"/,
  },
  // looker
  { name: 'looker · bad --format', args: () => ['looker', '-w', 'bigquery:p.d', '-f', 'xml'], code: 2 },
  // publish and pipeline stream: bad flags are refused before any Pub/Sub connection
  { name: 'publish · bad --seed', args: () => ['publish', '--topic', 't', '--seed', '1.5'], code: 2, says: /"1\.5"/ },
  { name: 'pipeline stream · unknown flag', args: () => ['pipeline', 'stream', '--bogus'], code: 2 },
  {
    name: 'publish · bad --rate',
    args: () => ['publish', '--topic', 't', '--rate', 'fast'],
    code: 2,
    says: /--rate must be a number ≥ 0, got "fast"/,
  },
  {
    name: 'publish · --duplicates above 1',
    args: () => ['publish', '--topic', 't', '--duplicates', '2'],
    code: 2,
    says: /--duplicates must be a number from 0 to 1, got "2"/,
  },
  {
    name: 'pipeline stream · bad --max-batch',
    args: () => ['pipeline', 'stream', '-s', 'sub', '--max-batch', 'lots'],
    code: 2,
    says: /--max-batch must be a whole number ≥ 1, got "lots"/,
  },
  {
    name: 'pipeline stream · --max-messages 0',
    args: () => ['pipeline', 'stream', '-s', 'sub', '--max-messages', '0'],
    code: 2,
    says: /--max-messages must be a whole number from 1 to \d+, got "0"/,
  },
  {
    name: 'pipeline stream · bad --max-delivery-attempts',
    args: () => [
      'pipeline',
      'stream',
      '-s',
      'sub',
      '--create',
      '--topic',
      'sales',
      '--dead-letter-topic',
      'dead',
      '--max-delivery-attempts',
      'many',
    ],
    code: 2,
    says: /--max-delivery-attempts must be a whole number from 5 to 100, got "many"/,
  },
  // schema
  { name: 'schema · ok', args: () => ['schema', '-f', 'duckdb'], code: 0 },
  { name: 'schema · bad format', args: () => ['schema', '-f', 'xml'], code: 2 },
];

describe('exit codes (0 ok · 1 failed · 2 usage/refused · 3 partial)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = await runSalesflow(c.args(), { cwd: tmp() });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.code, out).toBe(c.code);
    if (c.args().includes(d('out', 'never.html'))) expect(existsSync(d('out', 'never.html'))).toBe(false);
    if (c.says) expect(out).toMatch(c.says);
    expect(readFileSync(d('not-a-warehouse.csv'), 'utf8')).toBe(notAWarehouse);
    expect(out).not.toMatch(/\bNaN\b/);
  });
});
