import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { queryMemoryDuckDB } from '../util/duckdb.ts';
import { describe, expect, it } from 'vitest';
import { ConflictError, InputError, UsageError } from '../../shared/errors.ts';
import { formatCents } from '../../shared/money.ts';
import { CSV_HEADER } from '../../shared/schema/index.ts';
import { convertToParquet, readSalesFile } from '../../transform/index.ts';
import { type SampleRow, rowLine, sampleRows, writeSalesCsv } from '../util/sales-csv.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-to-parquet-');
// Most cases use one worker: start-up (loading Arrow and parquet-wasm) dominates tiny inputs, and
// the round-trip and crash cases below cover the two-worker path.

const query = (sql: string) => queryMemoryDuckDB(sql) as Promise<Record<string, string>[]>;

const lake = (dir: string) => `read_parquet('${dir}/**/*.parquet', hive_partitioning = true)`;

function expectedTotals(rows: readonly SampleRow[]) {
  const perRegion: Record<string, number> = {};
  let cents = 0n;
  for (const r of rows) {
    perRegion[`sales_region=${r.region}`] = (perRegion[`sales_region=${r.region}`] ?? 0) + 1;
    cents += BigInt(r.cents);
  }
  return { perRegion, sum: formatCents(cents) };
}

/** Everything next to `dir` that looks like an output or a leftover temp folder. */
function siblings(dir: string, name: string): string[] {
  return readdirSync(dir).filter((n) => n.includes(name));
}

// Worker start-up is CPU-bound: on the shared machine under load a case can take 30 s.
describe('convertToParquet', { timeout: 120_000 }, () => {
  const rows = sampleRows(30_000, 3);

  it('round trip: DuckDB reads the same rows, exact sum and per-partition counts, with the schema types', async () => {
    const csv = join(tmp(), 'round.csv');
    writeSalesCsv(csv, rows);
    const out = join(tmp(), 'round-lake');
    // Small chunks and files force many chunks, both workers, rolling files and several row groups.
    const manifest = await convertToParquet({
      input: csv,
      outDir: out,
      partitionBy: 'region',
      chunkBytes: 64 * 1024,
      rowGroupSize: 1000,
      rowsPerFile: 1500,
    });
    const want = expectedTotals(rows);
    expect(manifest.rows).toBe(rows.length);
    expect(manifest.rejected).toBe(0);
    expect(manifest.partitions).toEqual(want.perRegion);
    expect(existsSync(join(out, '_SUCCESS'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, '_manifest.json'), 'utf8'))).toEqual(manifest);
    expect(manifest.sources[0]).toMatchObject({ path: csv, rows: rows.length, rejected: 0 });
    expect(manifest.sources[0].md5).toBe(createHash('md5').update(readFileSync(csv)).digest('hex'));
    expect(readdirSync(join(out, 'sales_region=North')).sort()[0]).toBe('part-00000.parquet');
    expect(manifest.files.length).toBeGreaterThan(15);

    const [totals] = await query(`SELECT count(*) AS n, sum(sale_amount)::VARCHAR AS s FROM ${lake(out)}`);
    expect(totals).toEqual({ n: String(rows.length), s: want.sum });
    const perRegion = await query(
      `SELECT sales_region AS r, count(*) AS n FROM ${lake(out)} GROUP BY ALL ORDER BY ALL`,
    );
    expect(Object.fromEntries(perRegion.map((x) => [`sales_region=${x.r}`, Number(x.n)]))).toEqual(want.perRegion);
    const types = await query(`SELECT column_name AS c, column_type AS t FROM (DESCRIBE SELECT * FROM ${lake(out)})`);
    expect(types).toEqual([
      { c: 'transaction_id', t: 'VARCHAR' },
      { c: 'customer_id', t: 'BIGINT' },
      { c: 'transaction_date', t: 'DATE' },
      { c: 'sale_amount', t: 'DECIMAL(12,2)' },
      { c: 'product_category', t: 'VARCHAR' },
      { c: 'sales_region', t: 'VARCHAR' },
    ]);
    // Several row groups per file, and the partition column is not stored in the files.
    const meta = await query(
      `SELECT max(row_group_id) AS rg, count(*) FILTER (path_in_schema = 'sales_region') AS region_cols FROM parquet_metadata('${out}/sales_region=North/part-00000.parquet')`,
    );
    expect(Number(meta[0].rg)).toBeGreaterThan(0);
    expect(meta[0].region_cols).toBe('0');
    // Row-level: one record comes back exactly.
    const r = rows[123];
    const [back] = await query(
      `SELECT customer_id::VARCHAR AS c, transaction_date::VARCHAR AS d, sale_amount::VARCHAR AS a, product_category AS k, sales_region AS g FROM ${lake(out)} WHERE transaction_id = '${r.id}'`,
    );
    expect(back).toEqual({ c: String(r.customer), d: r.date, a: formatCents(r.cents), k: r.category, g: r.region });
  });

  it('polars reads the dataset back with the same totals', async () => {
    const csv = join(tmp(), 'polars.csv');
    const few = rows.slice(0, 2000);
    writeSalesCsv(csv, few);
    const out = join(tmp(), 'polars-lake');
    await convertToParquet({ input: csv, outDir: out, partitionBy: ['region'], workers: 1 });
    const pl = (await import('nodejs-polars')).default;
    const df = pl.readParquet(join(out, 'sales_region=East', 'part-00000.parquet'));
    expect(df.height).toBe(few.filter((r) => r.region === 'East').length);
    expect(df.columns).toEqual([
      'transaction_id',
      'customer_id',
      'transaction_date',
      'sale_amount',
      'product_category',
    ]);
    expect(String(df.dtypes[3])).toMatch(/Decimal/);
  });

  it('partitions by two columns (aliases) into nested folders', async () => {
    const csv = join(tmp(), 'two.csv');
    writeSalesCsv(csv, rows.slice(0, 3000));
    const out = join(tmp(), 'two-lake');
    const m = await convertToParquet({ input: csv, outDir: out, partitionBy: 'region,category', workers: 1 });
    expect(m.partitionBy).toEqual(['sales_region', 'product_category']);
    expect(existsSync(join(out, 'sales_region=North', 'product_category=Home & Garden'))).toBe(true);
    const [n] = await query(`SELECT count(*) AS n FROM ${lake(out)} WHERE product_category = 'Home & Garden'`);
    expect(Number(n.n)).toBe(rows.slice(0, 3000).filter((r) => r.category === 'Home & Garden').length);
  });

  it('bad rows go to _rejects with file, line, raw text and reason; good rows still land', async () => {
    const csv = join(tmp(), 'bad.csv');
    const good = rows.slice(0, 1000);
    writeSalesCsv(csv, good, [
      'TX-B1,1,2024-02-30,1.00,Books,North',
      'TX-B2,abc,2024-01-01,1.00,Books,North',
      'TX-B3,1,2024-01-01,-5,Books,North',
      'TX-B4,1,2024-01-01,1.00,Books,Atlantis',
      'TX-B5,1,2024-01-01',
    ]);
    const out = join(tmp(), 'bad-lake');
    const m = await convertToParquet({ input: csv, outDir: out, partitionBy: 'region', maxErrors: 5, workers: 1 });
    expect(m.rows).toBe(1000);
    expect(m.rejected).toBe(5);
    const rejects = readFileSync(join(out, '_rejects', 'rejects.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [1002, 'transaction_date "2024-02-30" is not a valid date (expected YYYY-MM-DD)'],
      [1003, 'customer_id "abc" is not a whole number'],
      [1004, 'sale_amount "-5" must be greater than 0'],
      [1005, 'sales_region "Atlantis" is not one of: North, South, East, West, Central'],
      [1006, 'row has 3 fields, expected 6'],
    ]);
    expect(rejects[0]).toMatchObject({ file: csv, raw: 'TX-B1,1,2024-02-30,1.00,Books,North' });
    const [n] = await query(`SELECT count(*) AS n FROM ${lake(out)}`);
    expect(n.n).toBe('1000');
  });

  it('more bad rows than --max-errors: fails listing the first 20, writes no dataset', async () => {
    const csv = join(tmp(), 'many-bad.csv');
    const bad = Array.from({ length: 30 }, (_, i) => `TX-X${i},0,2024-01-01,1.00,Books,North`);
    writeSalesCsv(csv, rows.slice(0, 500), bad);
    const out = join(tmp(), 'many-bad-lake');
    const err = await convertToParquet({ input: csv, outDir: out, partitionBy: 'region', maxErrors: 2 }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/^stopped after 30 bad rows \(more than --max-errors 2\); no dataset written:/);
    expect(err.message).toContain(`${csv}:502: customer_id "0" must be at least 1`);
    expect(existsSync(out)).toBe(false);
    expect(siblings(tmp(), 'many-bad-lake')).toEqual([]);
    // With the default (0), one bad row is enough, and at most 20 are listed.
    const err0 = await convertToParquet({ input: csv, outDir: out, partitionBy: 'region', chunkBytes: 1 << 30 }).catch(
      (e) => e,
    );
    expect(err0.message).toMatch(/^stopped after 30 bad rows \(more than --max-errors 0\)/);
    expect(err0.message).toContain('… and more (showing the first 20)');
    expect(err0.message.split('\n').filter((l: string) => l.includes('must be at least 1'))).toHaveLength(20);
    expect(existsSync(out)).toBe(false);
  });

  it('header problems name the file and the missing, extra or misordered columns', async () => {
    const cases: [string, RegExp][] = [
      ['transaction_id,customer_id,transaction_date,sale_amount,product_category', /missing sales_region/],
      [`${CSV_HEADER},note`, /unexpected "note"/],
      ['customer_id,transaction_id,transaction_date,sale_amount,product_category,sales_region', /out of order/],
      ['', /no header line/],
    ];
    for (const [header, want] of cases) {
      const csv = join(tmp(), 'header.csv');
      writeFileSync(csv, header === '' ? '' : `${header}\n${rowLine(rows[0])}\n`);
      const out = join(tmp(), 'header-lake');
      const err = await convertToParquet({ input: csv, outDir: out, partitionBy: 'region', workers: 1 }).catch(
        (e) => e,
      );
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toMatch(want);
      expect(err.context).toMatchObject({ file: csv, line: 1 });
      expect(existsSync(out)).toBe(false);
    }
    // A BOM and CRLF line endings are fine.
    const csv = join(tmp(), 'bom.csv');
    writeFileSync(csv, `\uFEFF${CSV_HEADER}\r\n${rows.slice(0, 10).map(rowLine).join('\r\n')}\r\n`);
    const m = await convertToParquet({
      input: csv,
      outDir: join(tmp(), 'bom-lake'),
      partitionBy: 'region',
      workers: 1,
    });
    expect(m.rows).toBe(10);
  });

  it('refuses an existing OUTDIR without force, replaces it atomically with force', async () => {
    const csv = join(tmp(), 'force.csv');
    writeSalesCsv(csv, rows.slice(0, 100));
    const out = join(tmp(), 'force-lake');
    await convertToParquet({ input: csv, outDir: out, partitionBy: 'region', workers: 1 });
    const err = await convertToParquet({ input: csv, outDir: out, partitionBy: 'region', workers: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('already exists; use -f/--force');
    writeSalesCsv(csv, rows.slice(0, 40));
    const m = await convertToParquet({ input: csv, outDir: out, partitionBy: 'category', force: true, workers: 1 });
    expect(m.rows).toBe(40);
    expect(readdirSync(out).some((n) => n.startsWith('sales_region='))).toBe(false);
    const [n] = await query(`SELECT count(*) AS n FROM ${lake(out)}`);
    expect(n.n).toBe('40');
    // A failed forced run leaves the old output untouched.
    writeFileSync(csv, 'not,a,sales,file\n');
    await expect(convertToParquet({ input: csv, outDir: out, partitionBy: 'region', force: true })).rejects.toThrow(
      /header does not match/,
    );
    expect(JSON.parse(readFileSync(join(out, '_manifest.json'), 'utf8')).rows).toBe(40);
    expect(siblings(tmp(), 'force-lake')).toEqual(['force-lake']);
  });

  it('an input written to while it is converted fails the run and writes nothing', async () => {
    const csv = join(tmp(), 'growing.csv');
    writeSalesCsv(csv, rows);
    const out = join(tmp(), 'growing-lake');
    let appended = false;
    const err = await convertToParquet({
      input: csv,
      outDir: out,
      partitionBy: 'region',
      workers: 1,
      chunkBytes: 64 * 1024,
      onProgress: () => {
        if (appended) return;
        appended = true;
        writeFileSync(csv, `${rowLine(rows[0]).replace(/^TX-/, 'TX-late-')}\n`, { flag: 'a' });
      },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/changed while being converted/);
    expect(siblings(tmp(), 'growing-lake')).toEqual([]);
  });

  it('a crash mid-run (injected worker failure) leaves no output and no temp folder', async () => {
    const csv = join(tmp(), 'crash.csv');
    writeSalesCsv(csv, rows);
    const out = join(tmp(), 'crash-lake');
    await expect(
      convertToParquet({ input: csv, outDir: out, partitionBy: 'region', chunkBytes: 32 * 1024, failAfterChunks: 3 }),
    ).rejects.toThrow(/injected failure/);
    expect(existsSync(out)).toBe(false);
    expect(siblings(tmp(), 'crash-lake')).toEqual([]);
  });

  it('reads folders, globs, gzip and NDJSON inputs', async () => {
    const dir = join(tmp(), 'many');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    writeSalesCsv(join(dir, 'a.csv'), rows.slice(0, 100));
    writeSalesCsv(join(dir, 'b.csv'), rows.slice(100, 250));
    const csvGz = join(tmp(), 'c.csv');
    writeSalesCsv(csvGz, rows.slice(250, 300));
    writeFileSync(join(dir, 'c.csv.gz'), gzipSync(readFileSync(csvGz)));
    const folder = await convertToParquet({
      input: dir,
      outDir: join(tmp(), 'folder-lake'),
      partitionBy: 'region',
      workers: 1,
    });
    expect(folder.rows).toBe(300);
    expect(folder.sources.map((s) => s.rows)).toEqual([100, 150, 50]);
    const globbed = await convertToParquet({
      input: `${dir}/*.csv`,
      outDir: join(tmp(), 'glob-lake'),
      partitionBy: 'region',
    });
    expect(globbed.rows).toBe(250);
    const nd = join(tmp(), 'x.ndjson');
    writeFileSync(
      nd,
      rows
        .slice(0, 50)
        .map((r) =>
          JSON.stringify({
            id: r.id,
            customer: r.customer,
            date: r.date,
            amount: formatCents(r.cents),
            category: r.category,
            region: r.region,
          }),
        )
        .join('\n'),
    );
    const m = await convertToParquet({ input: nd, outDir: join(tmp(), 'nd-lake'), partitionBy: 'region', workers: 1 });
    expect(m.rows).toBe(50);
  });

  it('partition values from a custom domain cannot escape OUTDIR', async () => {
    const domains = { categories: ['Books'], regions: ['../evil', 'a/b', '..'] };
    const csv = join(tmp(), 'evil.csv');
    writeFileSync(
      csv,
      `${CSV_HEADER}\nTX-1,1,2024-01-01,1.00,Books,../evil\nTX-2,1,2024-01-01,2.00,Books,a/b\nTX-3,1,2024-01-01,3.00,Books,..\n`,
    );
    const out = join(tmp(), 'evil-lake');
    const m = await convertToParquet({ input: csv, outDir: out, partitionBy: 'region', domains, workers: 1 });
    expect(m.rows).toBe(3);
    expect(
      readdirSync(out)
        .filter((n) => n.startsWith('sales_region='))
        .sort(),
    ).toEqual(['sales_region=..', 'sales_region=..%2Fevil', 'sales_region=a%2Fb']);
    expect(existsSync(join(tmp(), 'evil'))).toBe(false);
  });

  it('rejects unusable options with usage errors', async () => {
    const csv = join(tmp(), 'opts.csv');
    writeSalesCsv(csv, rows.slice(0, 5));
    const out = join(tmp(), 'opts-lake');
    await expect(convertToParquet({ input: csv, outDir: out, partitionBy: 'planet' })).rejects.toThrow(UsageError);
    await expect(convertToParquet({ input: csv, outDir: out, partitionBy: 'region', rowGroupSize: 0 })).rejects.toThrow(
      UsageError,
    );
    await expect(
      convertToParquet({ input: join(tmp(), 'nope.csv'), outDir: out, partitionBy: 'region', workers: 1 }),
    ).rejects.toThrow(/input does not exist/);
  });
});

describe('readSalesFile', () => {
  it('skips a byte-order mark at the start of an NDJSON file, and only there', async () => {
    const file = join(tmp(), 'bom.ndjson');
    const line = (id: string) =>
      `{"id":"${id}","customer":7,"date":"2024-01-01","amount":"1.00","category":"Books","region":"North"}`;
    writeFileSync(file, `\uFEFF${line('TX-1')}\n\uFEFF${line('TX-2')}\n`);
    const ids: string[] = [];
    const lines: number[] = [];
    for await (const b of readSalesFile(file)) {
      ids.push(...b.records.map((r) => r.transaction_id));
      lines.push(...b.rejects.map((r) => r.line));
    }
    expect(ids).toEqual(['TX-1']);
    expect(lines).toEqual([2]);
  });

  it('streams validated records and rejects with line numbers, like to-parquet', async () => {
    const rows = sampleRows(5000, 9);
    const csv = join(tmp(), 'read.csv.gz');
    const plain = join(tmp(), 'read.csv');
    writeSalesCsv(plain, rows, ['TX-Z,1,2024-01-01,1.001,Books,North']);
    writeFileSync(csv, gzipSync(readFileSync(plain)));
    let n = 0;
    const rejects = [];
    let batches = 0;
    for await (const b of readSalesFile(csv, { batchBytes: 16 * 1024 })) {
      for (const r of b.records) {
        expect(r.transaction_id).toBe(rows[n].id);
        n++;
      }
      rejects.push(...b.rejects);
      batches++;
    }
    expect(n).toBe(rows.length);
    expect(batches).toBeGreaterThan(5);
    expect(rejects).toEqual([
      {
        file: csv,
        line: 5002,
        raw: 'TX-Z,1,2024-01-01,1.001,Books,North',
        reason: 'sale_amount "1.001" is not a decimal number with at most 2 decimals (e.g. 123.45)',
      },
    ]);
    const first = await readSalesFile(plain).next();
    expect(first.value?.records[0]).toEqual({
      transaction_id: rows[0].id,
      customer_id: rows[0].customer,
      transaction_date: rows[0].date,
      sale_amount: rows[0].cents,
      product_category: rows[0].category,
      sales_region: rows[0].region,
    });
  });
});

describe('partition cardinality', () => {
  it('refuses columns with a value per row, by any name, before writing anything', async () => {
    const csv = join(tmp(), 'card.csv');
    writeSalesCsv(csv, sampleRows(20, 3));
    for (const p of ['id', 'transaction_id', 'txn', 'customer', 'customer_id', 'amount', 'region,customer']) {
      const out = join(tmp(), `card-${p}`);
      await expect(convertToParquet({ input: csv, outDir: out, partitionBy: p, workers: 1 }), p).rejects.toThrow(
        /cannot partition by (transaction_id|customer_id|sale_amount) \(a folder per (sale|customer|amount)\)/,
      );
      expect(existsSync(out), p).toBe(false);
    }
  });

  it('stops a run that makes more than maxPartitions folders (counted across workers), leaving nothing', async () => {
    // 40 distinct dates in runs of 10 rows; small chunks (a few dates each) alternate between two
    // workers, so each sees about half of the dates: fewer than the cap, together more.
    const start = Date.UTC(2024, 0, 1) / 86_400_000;
    const lines = Array.from({ length: 400 }, (_, i) => {
      const d = new Date((start + Math.floor(i / 10)) * 86_400_000).toISOString().slice(0, 10);
      return `TX-${i},${1 + i},${d},1.00,Books,North`;
    });
    const csv = join(tmp(), 'dates.csv');
    writeFileSync(csv, `${CSV_HEADER}\n${lines.join('\n')}\n`);
    const out = join(tmp(), 'dates-lake');
    const run = (maxPartitions: number) =>
      convertToParquet({ input: csv, outDir: out, partitionBy: 'date', maxPartitions, workers: 2, chunkBytes: 2048 });
    const err = await run(30).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(String((err as Error).message)).toMatch(
      /^more than 30 partitions \(e\.g\. transaction_date=2024-\d\d-\d\d\): -p transaction_date makes a folder per distinct value; .* raise --max-partitions$/,
    );
    expect(readdirSync(tmp()).filter((n) => n.includes('dates-lake'))).toEqual([]);
    // One worker alone past the cap stops before buffering a folder more.
    await expect(
      convertToParquet({ input: csv, outDir: out, partitionBy: 'date', maxPartitions: 5, workers: 1 }),
    ).rejects.toThrow(/more than 5 partitions/);
    const m = await run(40);
    expect(Object.keys(m.partitions)).toHaveLength(40);
  });
});
