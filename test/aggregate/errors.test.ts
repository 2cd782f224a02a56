/** Bad sources fail with typed errors that say what and where; pruned folders are never opened. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withMemoryDuckDB } from '../util/duckdb.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEngine } from '../../aggregate/engine.ts';
import { finishReport } from '../../aggregate/groups.ts';
import { buildQueries } from '../../aggregate/query.ts';
import { InputError, UsageError } from '../../shared/errors.ts';
import { generateSales, writeSalesLake } from '../util/sales-lake.ts';
import { useTempDir } from '../util/tmp.ts';
import { renameParquetColumn } from '../util/parquet-rename.ts';

const tmp = useTempDir('salesflow-aggregate-err-');
const standard = buildQueries({});

const duck = (sql: string): Promise<void> =>
  withMemoryDuckDB(async (c) => {
    await c.run(sql);
  });

/** A fresh lake whose East folder gets one extra file built by `extra(eastDir)`. */
async function lakeWith(name: string, extra: (eastDir: string) => Promise<void> | void): Promise<string> {
  const dir = join(tmp(), name);
  await writeSalesLake(generateSales(2_000, 3), join(tmp(), `${name}.csv`), dir);
  await extra(join(dir, 'sales_region=East'));
  return dir;
}

const ENGINES = [['duckdb'], ['arrow']] as const;

// The bad lakes do not depend on the engine: built once, read by both.
let doubleAmount: string;
let missingColumn: string;
let garbage: string;
/** Lakes whose East folder has a file with more columns than the record: name → [lake, expected message]. */
const odd: Record<string, [string, RegExp]> = {};
const STRAY_ROW = `'X1' AS transaction_id, 1::BIGINT AS customer_id, DATE '2024-01-01' AS transaction_date, 12.5::DECIMAL(12,2) AS sale_amount, 'Books' AS product_category`;
/** A stray file with a DOUBLE `xale_amount` column renamed after writing (DuckDB's COPY would de-duplicate it). */
const strayWith = (to: string | undefined) => async (east: string) => {
  const file = join(east, 'stray.parquet');
  await duck(`COPY (SELECT 999.999::DOUBLE AS xale_amount, ${STRAY_ROW}) TO '${file}' (FORMAT parquet)`);
  if (to !== undefined) renameParquetColumn(file, 'xale_amount', to);
};
/** A date-partitioned lake with one good folder and the given bad one. */
async function dateLake(name: string, badFolder: string): Promise<string> {
  const dir = join(tmp(), name);
  for (const folder of ['transaction_date=2024-01-05', badFolder]) {
    mkdirSync(join(dir, folder), { recursive: true });
    await duck(
      `COPY (SELECT 'X1' AS transaction_id, 1::BIGINT AS customer_id, 12.5::DECIMAL(12,2) AS sale_amount, 'Books' AS product_category, 'North' AS sales_region) TO '${join(dir, folder, 'part-0.parquet')}' (FORMAT parquet)`,
    );
  }
  return dir;
}
const badFolders: Record<string, [string, RegExp]> = {};
beforeAll(async () => {
  badFolders.unpadded = [
    await dateLake('date-unpadded', 'transaction_date=2024-1-6'),
    /folder transaction_date=2024-1-6: transaction_date "2024-1-6" is not a valid date/,
  ];
  badFolders.outOfRange = [
    await dateLake('date-out-of-range', 'transaction_date=0099-01-01'),
    /folder transaction_date=0099-01-01: transaction_date "0099-01-01" .*1900-01-01/,
  ];
  odd.caseDuplicate = [
    await lakeWith('case-dup', strayWith('SALE_AMOUNT')),
    /columns "SALE_AMOUNT" and "sale_amount" differ only in case/,
  ];
  odd.sameName = [await lakeWith('same-name', strayWith('sale_amount')), /column "sale_amount" appears twice/];
  odd.extra = [await lakeWith('extra', strayWith(undefined)), /unexpected column "xale_amount"/];
  doubleAmount = await lakeWith('double', (east) =>
    duck(
      `COPY (SELECT 'X1' AS transaction_id, 1::BIGINT AS customer_id, DATE '2024-01-01' AS transaction_date, 12.5::DOUBLE AS sale_amount, 'Books' AS product_category) TO '${join(east, 'stray.parquet')}' (FORMAT parquet)`,
    ),
  );
  missingColumn = await lakeWith('missing', (east) =>
    duck(
      `COPY (SELECT 'X1' AS transaction_id, DATE '2024-01-01' AS transaction_date, 12.5::DECIMAL(12,2) AS sale_amount, 'Books' AS product_category) TO '${join(east, 'old.parquet')}' (FORMAT parquet)`,
    ),
  );
  garbage = await lakeWith('garbage', (east) => writeFileSync(join(east, 'broken.parquet'), 'not parquet'));
});

describe.each(ENGINES)('%s engine', (name) => {
  const run = async (source: string, flags = {}, workers = 0) =>
    (await loadEngine(name)).aggregate(source, buildQueries(flags), { workers });

  it('refuses a missing source as usage (exit 2)', async () => {
    const err = await run(join(tmp(), 'nope')).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/does not exist/);
  });

  it('says when a folder holds no Parquet files', async () => {
    const empty = join(tmp(), `empty-${name}`);
    mkdirSync(join(empty, '_rejects'), { recursive: true });
    writeFileSync(join(empty, '_rejects', 'x.parquet'), '');
    writeFileSync(join(empty, 'notes.txt'), 'hi');
    await expect(run(empty)).rejects.toThrow(/no Parquet files under/);
  });

  it('names the file with a wrong column type (across the worker boundary too)', async () => {
    const err = await run(doubleAmount, {}, 1).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.context.file).toMatch(/sales_region=East\/stray\.parquet$/);
    expect(err.message).toMatch(/column sale_amount is .*(DOUBLE|Float64).*, expected DECIMAL\(12,2\)/);
  });

  it.each(['caseDuplicate', 'sameName', 'extra'])(
    'names the file with a column the record lacks or holds twice (%s), as every Parquet reader does',
    async (which) => {
      const [lake, message] = odd[which];
      const err = await run(lake, {}, 1).catch((e) => e);
      expect(err).toBeInstanceOf(InputError);
      expect(err.context.file).toMatch(/sales_region=East\/stray\.parquet$/);
      expect(err.message).toMatch(message);
    },
  );

  it.each(['unpadded', 'outOfRange'])(
    'refuses a partition folder whose value the validator refuses (%s), as pipeline batch does',
    async (which) => {
      const [lake, message] = badFolders[which];
      const err = await run(lake, { by: ['date'] }).catch((e) => e);
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toMatch(message);
      expect(err.context.file).toMatch(/^transaction_date=[^/]+\/part-0\.parquet$/);
    },
  );

  it('names the file missing a column', async () => {
    const err = await run(missingColumn).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.context.file).toMatch(/old\.parquet$/);
    expect(err.message).toMatch(/no column customer_id/);
  });

  it('names an unreadable file', async () => {
    const err = await run(garbage).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(`${err.context.file} ${err.message}`).toMatch(/broken\.parquet/);
  });

  it('never opens folders a --where on the partition column rules out', async () => {
    const [groups] = await run(garbage, { by: ['region'], metrics: 'count', where: ['region=North|West'] });
    expect(groups.map((g) => g.keys[0]).sort()).toEqual(['North', 'West']);
  });
});

it('arrow refuses CSV sources with a pointer to duckdb', async () => {
  const csv = join(tmp(), 'a.csv');
  writeFileSync(csv, 'x\n');
  await expect((await loadEngine('arrow')).aggregate(csv, standard)).rejects.toThrow(/Parquet only.*--engine duckdb/);
});

it('duckdb reports a bad CSV value as an input error naming the file', async () => {
  const csv = join(tmp(), 'bad.csv');
  writeFileSync(
    csv,
    'transaction_id,customer_id,transaction_date,sale_amount,product_category,sales_region\nT1,1,2024-01-01,abc,Books,North\n',
  );
  const err = await (await loadEngine('duckdb')).aggregate(csv, standard).catch((e) => e);
  expect(err).toBeInstanceOf(InputError);
  expect(err.context.file).toBe(csv);
  expect(err.message).toMatch(/abc/);
});

it('an empty selection gives reports with no rows, not an error', async () => {
  const dir = join(tmp(), 'small');
  await writeSalesLake(generateSales(100, 1), join(tmp(), 'small.csv'), dir);
  for (const name of ['duckdb', 'arrow'] as const) {
    const q = buildQueries({ where: ['region=Atlantis'] });
    const groups = await (await loadEngine(name)).aggregate(dir, q, { workers: 0 });
    expect(q.map((qq, i) => finishReport(qq, groups[i]).rows)).toEqual([[], []]);
  }
});

it('filter values are data, never SQL: quotes and SQL fragments match nothing on every engine', async () => {
  const dir = join(tmp(), 'hostile-where');
  await writeSalesLake(generateSales(200, 2), join(tmp(), 'hostile-where.csv'), dir);
  const hostile = [
    "region=North' OR '1'='1",
    'region=North" OR "1"="1',
    "category=x') UNION SELECT 1 --",
    "region=North'; DROP TABLE x; --|South\\' OR 1=1 --",
    "region!=North' OR sales_region IS NOT NULL OR '",
  ];
  for (const where of hostile) {
    const q = buildQueries({ by: ['region'], metrics: 'count', where: [where] });
    for (const name of ['duckdb', 'arrow'] as const) {
      const [groups] = await (await loadEngine(name)).aggregate(dir, q, { workers: 0 });
      const rows = finishReport(q[0], groups).rows;
      // `=` matches no region; `!=` keeps every region (nothing equals the odd text), exactly as a literal would.
      if (where.includes('!=')) expect(rows.length, `${name} ${where}`).toBe(5);
      else expect(rows, `${name} ${where}`).toEqual([]);
    }
  }
});
