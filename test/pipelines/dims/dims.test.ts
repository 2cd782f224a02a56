/**
 * The dimension pipeline: the generator's customers.csv / products.csv load
 * into dim_customers / dim_products, re-runs change nothing, invalid rows are
 * quarantined with file:line and reasons, bad files load nothing, and the
 * BigQuery test server ends up with the same tables as DuckDB.
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { onCheckpoint } from '../../../pipelines/crash.ts';
import { generateSales } from '../../../generator/generate.ts';
import { formatDimsReport } from '../../../pipelines/dims/report.ts';
import { runDims } from '../../../pipelines/dims/run-dims.ts';
import { BigQueryWarehouse, DuckDBWarehouse, type Warehouse } from '../../../warehouse/index.ts';
import { type RunningBigQueryServer, startBigQueryServer } from '../../util/bigquery-server/index.ts';
import { OverlapError, UsageError } from '../../../shared/errors.ts';
import { runSalesflow } from '../../util/cli.ts';
import { useTempDir } from '../../util/tmp.ts';

const tmp = useTempDir('salesflow-dims-');
const CUSTOMERS = 40;
let gen: string;

beforeAll(async () => {
  gen = join(tmp(), 'gen');
  mkdirSync(gen);
  await generateSales({
    rows: 200,
    customers: CUSTOMERS,
    seed: 5,
    out: join(gen, 'sales.csv'),
    dimensions: true,
    workers: 0,
  });
});

const count = async (w: Warehouse, table: string) =>
  Number((await w.query(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n);
const dims = async (w: Warehouse) => ({
  customers: (await w.query('SELECT customer_id, name, email, city, region FROM dim_customers ORDER BY customer_id'))
    .rows,
  products: (
    await w.query('SELECT product_id, product_name, product_category, list_price FROM dim_products ORDER BY product_id')
  ).rows,
});

async function withDuck<T>(name: string, fn: (w: Warehouse) => Promise<T>): Promise<T> {
  const w = await DuckDBWarehouse.open(join(tmp(), `${name}.duckdb`));
  try {
    return await fn(w);
  } finally {
    await w.close();
  }
}

describe('pipeline dims', () => {
  it("loads the generator's files whole, and a re-run or a copy of a file changes nothing", async () => {
    await withDuck('whole', async (w) => {
      const first = await runDims({ source: gen, warehouse: w });
      expect(first.ok).toBe(true);
      expect(first.ignored).toEqual(['sales.csv']);
      expect(first.files.map((f) => [f.key, f.status, f.rowsLoaded])).toEqual([
        ['customers.csv', 'loaded', CUSTOMERS],
        ['products.csv', 'loaded', 250],
      ]);
      const csv = readFileSync(join(gen, 'customers.csv'), 'utf8').trim().split('\n');
      const content = await dims(w);
      expect(content.customers).toHaveLength(CUSTOMERS);
      // The first data line, parsed back from the table (names may hold commas: csvField quoting round-trips).
      expect(csv[1].startsWith(`1,`)).toBe(true);
      expect(content.customers[0].customer_id).toBe(1);
      expect(typeof content.customers[0].name).toBe('string');
      expect(content.products[0].list_price).toMatch(/^\d+\.\d\d$/);

      const again = await runDims({ source: gen, warehouse: w });
      expect(again.files.map((f) => [f.status, f.alreadyDone])).toEqual([
        ['loaded', true],
        ['loaded', true],
      ]);
      expect(await dims(w)).toEqual(content);
      expect(await count(w, 'load_log')).toBe(2);

      // The same rows under another name: logged, nothing inserted or updated.
      const copyDir = join(tmp(), 'copy');
      mkdirSync(copyDir);
      copyFileSync(join(gen, 'customers.csv'), join(copyDir, 'customers-again.csv'));
      const copy = await runDims({ source: copyDir, warehouse: w });
      expect(copy.files.map((f) => [f.status, f.rowsLoaded, f.rowsDuplicate])).toEqual([['loaded', 0, CUSTOMERS]]);
      expect(await dims(w)).toEqual(content);
    });
  });

  it('updates changed rows and inserts new keys (upsert on the key), also from a .gz file', async () => {
    await withDuck('upsert', async (w) => {
      const d = join(tmp(), 'upsert');
      mkdirSync(d);
      writeFileSync(
        join(d, 'customers.csv'),
        'customer_id,name,email,city,region\n1,Ann Lee,ann@example.com,Oslo,North\n2,Bob Stone,,Rome,South\n',
      );
      await runDims({ source: d, warehouse: w });
      writeFileSync(
        join(d, 'customers-2.csv.gz'),
        gzipSync('customer_id,name,email,city,region\n2,"Stone, Bob",bob@example.com,Rome,South\n3,Cy,,,East\n'),
      );
      const s = await runDims({ source: join(d, 'customers-2.csv.gz'), warehouse: w });
      expect(s.files.map((f) => [f.key, f.status, f.rowsLoaded, f.rowsDuplicate])).toEqual([
        ['customers-2.csv.gz', 'loaded', 2, 0],
      ]);
      const rows = (
        await w.query('SELECT customer_id, name, email, city, region, _source_file FROM dim_customers ORDER BY 1')
      ).rows;
      expect(rows).toEqual([
        {
          customer_id: 1,
          name: 'Ann Lee',
          email: 'ann@example.com',
          city: 'Oslo',
          region: 'North',
          _source_file: join(d, 'customers.csv'),
        },
        {
          customer_id: 2,
          name: 'Stone, Bob',
          email: 'bob@example.com',
          city: 'Rome',
          region: 'South',
          _source_file: join(d, 'customers-2.csv.gz'),
        },
        {
          customer_id: 3,
          name: 'Cy',
          email: null,
          city: null,
          region: 'East',
          _source_file: join(d, 'customers-2.csv.gz'),
        },
      ]);
    });
  });

  it('quarantines invalid rows with file, line and reasons; valid rows still land', async () => {
    await withDuck('bad-rows', async (w) => {
      const d = join(tmp(), 'bad-rows');
      mkdirSync(d);
      const file = join(d, 'customers.csv');
      writeFileSync(
        file,
        [
          'customer_id,name,email,city,region',
          '1,Ann Lee,ann@example.com,Oslo,North',
          'x1,Bad Id,,Oslo,North',
          '2,Bob,bob@,Rome,Atlantis',
          '1,Ann Again,,Oslo,North',
          '3,"Cy,,,East',
          '4,Dee,,,West',
        ].join('\n'),
      );
      const s = await runDims({ source: d, warehouse: w, maxErrorRate: 1 });
      expect(s.ok).toBe(false);
      expect(s.files[0]).toMatchObject({ status: 'partial', rowsRead: 6, rowsLoaded: 2, rowsRejected: 4 });
      const q = (
        await w.query('SELECT dimension, _source_file, _line, reasons, raw_row FROM quarantine_dims ORDER BY _line')
      ).rows;
      expect(q.map((r) => [r.dimension, r._source_file, r._line])).toEqual([
        ['customers', file, 3],
        ['customers', file, 4],
        ['customers', file, 5],
        ['customers', file, 6],
      ]);
      expect(q[0].reasons).toBe('customer_id "x1" is not a whole number');
      expect(q[1].reasons).toBe(
        'email "bob@" is not an e-mail address (name@domain.tld); region "Atlantis" is not one of: North, South, East, West, Central',
      );
      expect(q[2].reasons).toBe('customer_id "1" repeats line 2');
      expect(q[3].reasons).toMatch(/unterminated quoted field/);
      expect(q[0].raw_row).toBe('x1,Bad Id,,Oslo,North');
      expect((await w.query('SELECT customer_id FROM dim_customers ORDER BY 1')).rows).toEqual([
        { customer_id: 1 },
        { customer_id: 4 },
      ]);
      const report = formatDimsReport(s);
      expect(report).toContain(`${file}:3: customer_id "x1" is not a whole number`);
      // Re-running the same file version adds no quarantine rows.
      await runDims({ source: d, warehouse: w, maxErrorRate: 1 });
      expect(await count(w, 'quarantine_dims')).toBe(4);
    });
  });

  it('a wrong header or too many invalid rows loads nothing, and says why', async () => {
    await withDuck('bad-files', async (w) => {
      const d = join(tmp(), 'bad-files');
      mkdirSync(d);
      writeFileSync(join(d, 'customers.csv'), 'id,name\n1,Ann\n');
      writeFileSync(
        join(d, 'products.csv'),
        'product_id,product_name,product_category,list_price\nP1,Lamp,Home & Garden,12.50\nP2,Ball,Sports,-1\n',
      );
      const s = await runDims({ source: d, warehouse: w });
      expect(s.files.map((f) => [f.key, f.status])).toEqual([
        ['customers.csv', 'rejected'],
        ['products.csv', 'rejected'],
      ]);
      expect(s.files[0].error).toBe(
        `${join(d, 'customers.csv')}:1: header does not match the customers schema: expected "customer_id,name,email,city,region", got "id,name"`,
      );
      expect(s.files[1].error).toBe('1 of 2 rows are invalid (50%), above --max-error-rate 5%: file not loaded');
      expect(formatDimsReport(s)).toContain(`${join(d, 'products.csv')}:3: list_price "-1" must be greater than 0`);
      expect(await count(w, 'dim_customers')).toBe(0);
      expect(await count(w, 'dim_products')).toBe(0);
      // The refused file's invalid row stays inspectable, marked as belonging to a rejected file.
      const q = await w.query('SELECT _source_file, _line, reasons, _file_rejected FROM quarantine_dims');
      expect(q.rows).toEqual([
        {
          _source_file: join(d, 'products.csv'),
          _line: 3,
          reasons: 'list_price "-1" must be greater than 0',
          _file_rejected: true,
        },
      ]);
      expect((await w.query("SELECT COUNT(*) AS n FROM load_log WHERE status = 'rejected'")).rows[0].n).toBe(2);
    });
  });
});

describe('pipeline dims: a file that changes while it is read', () => {
  afterEach(() => onCheckpoint(undefined));

  it('is left waiting (not loaded, not logged), and loaded whole by the next run', async () => {
    await withDuck('changing', async (w) => {
      const d = join(tmp(), 'changing');
      mkdirSync(d);
      copyFileSync(join(gen, 'customers.csv'), join(d, 'customers.csv'));
      onCheckpoint((point) => {
        if (point === 'after-list') appendFileSync(join(d, 'customers.csv'), '999,Late Comer,,Oslo,North\n');
      });
      const s = await runDims({ source: d, warehouse: w });
      expect(s.files.map((f) => [f.key, f.status])).toEqual([['customers.csv', 'waiting']]);
      expect(s.ok).toBe(true);
      expect(formatDimsReport(s)).toMatch(/waiting .*customers\.csv: changed while being read/);
      expect(await count(w, 'load_log')).toBe(0);
      expect(await count(w, 'dim_customers')).toBe(0);
      onCheckpoint(undefined);
      const next = await runDims({ source: d, warehouse: w });
      expect(next.files.map((f) => [f.status, f.rowsLoaded])).toEqual([['loaded', CUSTOMERS + 1]]);
      const log = await w.query('SELECT size_bytes FROM load_log');
      expect(log.rows[0].size_bytes).toBe(readFileSync(join(d, 'customers.csv')).length);
    });
  });
});

describe('pipeline dims on BigQuery', () => {
  let server: RunningBigQueryServer;
  beforeAll(async () => {
    server = await startBigQueryServer({ projectId: 'dims' });
  });
  afterAll(() => server?.stop());

  it('loads the same tables as on DuckDB', async () => {
    const bq = await BigQueryWarehouse.open({ projectId: 'dims', dataset: 'd', endpoint: server.url });
    const s = await runDims({ source: gen, warehouse: bq });
    expect(s.files.map((f) => [f.status, f.rowsLoaded])).toEqual([
      ['loaded', CUSTOMERS],
      ['loaded', 250],
    ]);
    const again = await runDims({ source: gen, warehouse: bq });
    expect(again.files.every((f) => f.alreadyDone)).toBe(true);
    const local = await withDuck('compare', async (w) => {
      await runDims({ source: gen, warehouse: w });
      return dims(w);
    });
    expect(await dims(bq)).toEqual(local);
  });
});

describe('pipeline dims: what it reads vs the warehouse it writes', () => {
  const customers = 'customer_id,name,email,city,region\n1,Ann,,,North\n';
  const source = (name: string) => {
    const d = join(tmp(), 'overlap', name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'customers.csv'), customers);
    return d;
  };

  it.each([
    ['inside the folder', (d: string) => join(d, 'w.duckdb'), 'is inside'],
    ['inside a subfolder of it', (d: string) => join(d, 'sub', 'w.duckdb'), 'is inside'],
    ['the folder itself', (d: string) => d, 'is the same place as'],
    ['a folder around it', (d: string) => join(d, '..'), 'contains'],
    ['the dimension file given as the source', (d: string) => join(d, 'customers.csv'), 'is the same place as'],
  ])('a warehouse %s is refused (exit 2) before anything is read or created', async (_name, where, how) => {
    const d = source(_name.replace(/\W+/g, '-'));
    const single = _name.startsWith('the dimension file');
    const src = single ? join(d, 'customers.csv') : d;
    const path = where(d);
    const err = await runDims({ source: src, warehouse: `duckdb:${path}` }).catch((e) => e);
    expect(err).toBeInstanceOf(OverlapError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(`the warehouse ${path}`);
    expect(err.message).toContain(`${how} source ${src}`);
    expect(readdirSync(d)).toEqual(['customers.csv']);
    expect(readFileSync(join(d, 'customers.csv'), 'utf8')).toBe(customers);
  });

  it('a warehouse under a `_` folder of it is never read, so it may be there', async () => {
    const d = source('hidden');
    const s = await runDims({ source: d, warehouse: `duckdb:${join(d, '_w', 'w.duckdb')}` });
    expect(s.files.map((f) => [f.key, f.status])).toEqual([['customers.csv', 'loaded']]);
  });

  it('a folder with no customers*.csv / products*.csv is refused (exit 2) saying what it looked for', async () => {
    const empty = join(tmp(), 'no-dims-here');
    mkdirSync(empty);
    writeFileSync(join(empty, 'sales.csv'), 'x\n');
    const db = join(tmp(), 'no-dims.duckdb');
    const err = await runDims({ source: empty, warehouse: `duckdb:${db}` }).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(
      /no dimension files in .*: looked for customers\*\.csv and products\*\.csv .*found only sales\.csv/,
    );
    const one = await runDims({ source: join(empty, 'sales.csv'), warehouse: `duckdb:${db}` }).catch((e) => e);
    expect(one).toBeInstanceOf(UsageError);
    expect(one.message).toMatch(/^not a dimension file: looked for customers\*\.csv/);
    expect(existsSync(db)).toBe(false);
  });
});

describe('salesflow pipeline dims (CLI)', () => {
  it('exits 3 naming file:line for invalid rows; 2 for a missing folder, one with no dimension files, a warehouse inside it', async () => {
    const d = join(tmp(), 'cli');
    mkdirSync(d);
    writeFileSync(join(d, 'customers.csv'), 'customer_id,name,email,city,region\n1,Ann,,,North\n0,Zero,,,North\n');
    const db = join(tmp(), 'cli.duckdb');
    const r = await runSalesflow(['pipeline', 'dims', d, '-w', `duckdb:${db}`, '--max-error-rate', '0.5']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`${join(d, 'customers.csv')}:3: customer_id "0" must be at least 1`);
    const missing = await runSalesflow(['pipeline', 'dims', join(d, 'nope'), '-w', `duckdb:${db}`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such folder or file');
    const none = join(tmp(), 'cli-empty');
    mkdirSync(none);
    const empty = await runSalesflow(['pipeline', 'dims', none, '-w', `duckdb:${db}`]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('looked for customers*.csv and products*.csv');
    const inside = await runSalesflow(['pipeline', 'dims', d, '-w', `duckdb:${join(d, 'w.duckdb')}`]);
    expect(inside.code).toBe(2);
    expect(inside.stderr).toContain(`the warehouse ${join(d, 'w.duckdb')} is inside source ${d}`);
  });
});
