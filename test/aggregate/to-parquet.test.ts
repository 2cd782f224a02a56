/** Cross-check on the real to-parquet output (dictionary strings, its own row groups and file split). */
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { loadEngine } from '../../aggregate/engine.ts';
import { finishReport } from '../../aggregate/groups.ts';
import { buildQueries } from '../../aggregate/query.ts';
import { convertToParquet } from '../../transform/convert.ts';
import { writeFileSync } from 'node:fs';
import type { SalesRecord } from '../../shared/schema/index.ts';
import { generateSales, salesCsv } from '../util/sales-lake.ts';
import { oracleGroups } from '../util/sales-oracle.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-aggregate-tp-');
let records: SalesRecord[];
let lake: string;

beforeAll(async () => {
  records = generateSales(6_000, 9);
  const csv = join(tmp(), 'sales.csv');
  writeFileSync(csv, salesCsv(records));
  lake = join(tmp(), 'lake');
  await convertToParquet({
    input: csv,
    outDir: lake,
    partitionBy: ['region', 'category'],
    rowGroupSize: 500,
    workers: 1,
  });
});

it.each([
  ['standard reports', {}],
  [
    'month by category, filtered on both partition columns and the date',
    {
      by: ['date:month', 'category'],
      metrics: 'sum,avg,count,min,max',
      where: ['region=East|West', 'category!=Books', 'date>=2024-07-01'],
    },
  ],
] as const)('%s: duckdb and arrow agree with the records', async (_name, flags) => {
  const queries = buildQueries(flags);
  const want = queries.map((q) => finishReport(q, oracleGroups(records, q)));
  for (const [engine, workers] of [
    ['duckdb', undefined],
    ['arrow', 0],
  ] as const) {
    const groups = await (await loadEngine(engine)).aggregate(lake, queries, { workers });
    expect(queries.map((q, i) => finishReport(q, groups[i]))).toEqual(want);
  }
});
