/** Finding a lake's files and their partition values from folder names. */
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { finishReport } from '../../aggregate/groups.ts';
import { openLocalSource } from '../../aggregate/lake.ts';
import { buildQueries } from '../../aggregate/query.ts';
import { aggregate } from '../../aggregate/run.ts';
import { partitionPath } from '../../shared/hive-path.ts';
import type { SalesRecord } from '../../shared/schema/index.ts';
import { generateSales, writeSalesLake } from '../util/sales-lake.ts';
import { oracleGroups } from '../util/sales-oracle.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-aggregate-lake-');

it('reads partition folder names the way to-parquet writes them (Hive escapes, the default partition)', () => {
  const root = join(tmp(), 'escaped-lake');
  for (const value of ['Nor/th', '', '100%']) {
    const dir = join(root, partitionPath(['sales_region'], [value]));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'part-00000.parquet'), '');
  }
  const source = openLocalSource(root);
  if (source.kind !== 'parquet') throw new Error('expected a Parquet lake');
  expect(source.files.map((f) => f.partitions.sales_region).sort()).toEqual(['', '100%', 'Nor/th']);
});

describe('only what the layout defines is data', () => {
  let records: SalesRecord[];
  let lake: string;
  const queries = buildQueries({ by: ['region', 'category'], metrics: 'sum,count' });
  const want = () => finishReport(queries[0], oracleGroups(records, queries[0]));

  beforeAll(async () => {
    records = generateSales(3_000, 31);
    lake = join(tmp(), 'layout-lake');
    await writeSalesLake(records, join(tmp(), 'layout.csv'), lake);
    // Copies that are not partitions: a backup inside one, and a nested copy of the whole lake.
    cpSync(join(lake, 'sales_region=North'), join(tmp(), 'north-copy'), { recursive: true });
    cpSync(join(tmp(), 'north-copy'), join(lake, 'sales_region=North', 'backup'), { recursive: true });
    cpSync(join(lake, 'sales_region=East'), join(lake, 'old', 'sales_region=East'), { recursive: true });
  });

  it.each([['duckdb'], ['arrow']] as const)(
    '%s reads no nested copy: totals are not double counted',
    async (engine) => {
      const got = await aggregate({ source: lake, engine, queries, workers: 0 });
      expect(got.reports[0]).toEqual(want());
    },
  );

  it('names what it left out, and follows _manifest.json (its partition columns, in order)', () => {
    const src = openLocalSource(lake);
    if (src.kind !== 'parquet') throw new Error('expected a lake');
    expect(src.partitionColumns).toEqual(['sales_region']);
    expect(src.skipped.map((s) => relative(lake, s.path).split(sep)[0]).sort()).toEqual(
      expect.arrayContaining(['old', 'sales_region=North']),
    );
    expect(src.skipped.map((s) => s.reason)).toContain(
      'folder "backup" is not a partition folder (column=value) below sales_region=…',
    );
    // Without a manifest, files that disagree on the layout make it ambiguous; with one, it decides.
    const mixed = join(tmp(), 'mixed-lake');
    cpSync(lake, mixed, { recursive: true });
    mkdirSync(join(mixed, 'product_category=Books'));
    cpSync(
      join(lake, 'sales_region=West', readdirSync(join(lake, 'sales_region=West'))[0]),
      join(mixed, 'product_category=Books', 'x.parquet'),
    );
    expect(() => openLocalSource(mixed)).toThrow(/inconsistent partitioning/);
    writeFileSync(join(mixed, '_manifest.json'), JSON.stringify({ partitionBy: ['sales_region'] }));
    writeFileSync(join(mixed, '_SUCCESS'), '');
    const withManifest = openLocalSource(mixed);
    if (withManifest.kind !== 'parquet') throw new Error('expected a lake');
    expect(withManifest.files.every((f) => relative(mixed, f.path).startsWith('sales_region='))).toBe(true);
    expect(withManifest.skipped.map((s) => s.reason)).toContain(
      "its folders are product_category=…/, the lake's layout is sales_region=…/ (_manifest.json)",
    );
  });

  it('orders matter: region/category and category/region folders are not one lake', () => {
    const two = join(tmp(), 'two-orders');
    for (const p of ['sales_region=N/product_category=B', 'product_category=B/sales_region=N']) {
      mkdirSync(join(two, p), { recursive: true });
      writeFileSync(join(two, p, 'part-0.parquet'), '');
    }
    expect(() => openLocalSource(two)).toThrow(/inconsistent partitioning/);
  });
});
