/**
 * Every engine, same data, same queries: identical reports to the cent, and
 * equal to totals computed directly from the generated records.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEngine } from '../../aggregate/engine.ts';
import { planTasks } from '../../aggregate/engines/arrow.ts';
import { finishReport } from '../../aggregate/groups.ts';
import { buildQueries, type QueryFlags } from '../../aggregate/query.ts';
import type { SalesRecord } from '../../shared/schema/index.ts';
import { generateSales, writeSalesLake } from '../util/sales-lake.ts';
import { oracleGroups } from '../util/sales-oracle.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-aggregate-');
let records: SalesRecord[];
let lake: string;
let csv: string;
let lake2: string;

beforeAll(async () => {
  records = generateSales(12_000, 7);
  // A cent-level trap: these three average to x.xx5 exactly, so rounding must be half away from zero.
  records.push(
    ...[101, 102, 102].map((c, i) => ({
      ...records[i],
      transaction_id: `R${i}`,
      product_category: 'Toys',
      sale_amount: c,
    })),
  );
  lake = join(tmp(), 'lake');
  csv = join(tmp(), 'sales.csv');
  lake2 = join(tmp(), 'lake2');
  await writeSalesLake(records, csv, lake);
  await writeSalesLake(records, join(tmp(), 'sales2.csv'), lake2, {
    partitionBy: ['product_category', 'sales_region'],
  });
});

const CASES: [string, QueryFlags][] = [
  ['standard reports', {}],
  ['all metrics by category', { by: ['category'], metrics: 'sum,avg,count,min,max' }],
  [
    'month and region, filtered',
    {
      by: ['date:month', 'region'],
      metrics: 'sum,avg,count',
      where: ['region!=West', 'amount>=100.00', 'date<2025-06-01'],
    },
  ],
  ['top customers of two regions', { by: ['customer'], metrics: 'sum,count', where: ['region=North|South'], top: 5 }],
  ['week and year', { by: ['date:week'], metrics: 'avg,max', where: ['category=Toys|Books', 'customer<=250'] }],
  [
    'year by category, partition filter only',
    { by: ['date:year', 'category'], metrics: 'min,avg', where: ['region=Central'] },
  ],
];

const RUNS: [string, 'duckdb' | 'arrow', () => string, number?][] = [
  ['duckdb over the lake', 'duckdb', () => lake],
  ['duckdb over the CSV', 'duckdb', () => csv],
  ['duckdb over a two-level lake', 'duckdb', () => lake2],
  ['arrow, in thread', 'arrow', () => lake, 0],
  ['arrow, in thread, two-level lake', 'arrow', () => lake2, 0],
];

describe.each(CASES)('%s', (_name, flags) => {
  const queries = buildQueries(flags);
  it.each(RUNS)('%s matches the records to the cent', async (_run, engineName, source, workers) => {
    const engine = await loadEngine(engineName);
    const groups = await engine.aggregate(source(), queries, { workers });
    const got = queries.map((q, i) => finishReport(q, groups[i]));
    const want = queries.map((q) => finishReport(q, oracleGroups(records, q)));
    expect(got).toEqual(want);
    expect(want[0].rows.length).toBeGreaterThan(0);
  });
});

it('arrow with two workers answers every case in one scan of the files', async () => {
  // Worker start-up is the slow part on a loaded machine: one call, all queries (different filters) at once.
  const queries = CASES.flatMap(([, flags]) => buildQueries(flags));
  const groups = await (await loadEngine('arrow')).aggregate(lake, queries, { workers: 2 });
  expect(queries.map((q, i) => finishReport(q, groups[i]))).toEqual(
    queries.map((q) => finishReport(q, oracleGroups(records, q))),
  );
});

it('duckdb answers several reports with one filter in a single GROUPING SETS scan', async () => {
  const where = ['amount>=50.00'];
  const queries = [
    ...buildQueries({ by: ['region'], metrics: 'sum,count', where }),
    ...buildQueries({ by: ['region', 'category'], metrics: 'avg,min,max', where }),
    ...buildQueries({ by: ['date:month'], metrics: 'count', where, top: 3 }),
    ...buildQueries({ by: ['category'], metrics: 'sum' }),
  ];
  for (const source of [lake, csv]) {
    const groups = await (await loadEngine('duckdb')).aggregate(source, queries);
    expect(queries.map((q, i) => finishReport(q, groups[i]))).toEqual(
      queries.map((q) => finishReport(q, oracleGroups(records, q))),
    );
  }
});

it('reads date-partitioned lakes: typed partition values, pruning on date ranges', async () => {
  const few = generateSales(400, 13);
  const dir = join(tmp(), 'by-date');
  await writeSalesLake(few, join(tmp(), 'by-date.csv'), dir, { partitionBy: ['transaction_date'] });
  const queries = buildQueries({ by: ['date:month', 'region'], metrics: 'sum,avg,count', where: ['date>=2025-03-01'] });
  const want = queries.map((q) => finishReport(q, oracleGroups(few, q)));
  expect(want[0].rows.length).toBeGreaterThan(10);
  for (const name of ['duckdb', 'arrow'] as const) {
    const groups = await (await loadEngine(name)).aggregate(dir, queries, { workers: 0 });
    expect(queries.map((q, i) => finishReport(q, groups[i]))).toEqual(want);
  }
});

it('rounds the x.xx5 average up on every engine', async () => {
  const q = buildQueries({ by: ['category'], metrics: 'avg,count', where: ['amount<=1.02'] });
  for (const [name, src] of [
    ['duckdb', lake],
    ['arrow', lake],
  ] as const) {
    const [groups] = await (await loadEngine(name)).aggregate(src, q, { workers: 0 });
    // 101 + 102 + 102 = 305 cents / 3 = 101.67 → 1.02; plus any generated amounts ≤ 1.02 in Toys.
    const toys = records.filter((r) => r.product_category === 'Toys' && r.sale_amount <= 102);
    const sum = toys.reduce((s, r) => s + r.sale_amount, 0);
    const row = finishReport(q[0], groups).rows.find((r) => r[0] === 'Toys');
    expect(row?.[2]).toBe(toys.length);
    const exact = sum / toys.length;
    expect(row?.[1]).toBe((Math.floor(exact + 0.5) / 100).toFixed(2));
  }
});

it('splits few large files into shares so both workers stay busy', () => {
  const files = [{ path: 'a', partitions: {} }];
  const tasks = planTasks(files, 2);
  expect(tasks.map((t) => [t.shard, t.shards])).toEqual(Array.from({ length: 8 }, (_, i) => [i, 8]));
  expect(planTasks([], 2)).toEqual([]);
});
