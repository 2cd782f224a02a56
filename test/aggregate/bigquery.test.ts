/**
 * The bigquery engine against the BigQuery REST test server (real client, real
 * wire protocol), cross-checked with the records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEngine } from '../../aggregate/engine.ts';
import { finishReport } from '../../aggregate/groups.ts';
import { buildQueries, type QueryFlags } from '../../aggregate/query.ts';
import { formatCents } from '../../shared/money.ts';
import { type SalesRecord, salesBigQuerySchema } from '../../shared/schema/index.ts';
import { createBigQueryClient } from '../../shared/bigquery/client.ts';
import { type RunningBigQueryServer, startBigQueryServer } from '../util/bigquery-server/index.ts';
import { generateSales } from '../util/sales-lake.ts';
import { oracleGroups } from '../util/sales-oracle.ts';

describe('bigquery engine on the BigQuery test server', () => {
  let bq: RunningBigQueryServer;
  let records: SalesRecord[];

  beforeAll(async () => {
    bq = await startBigQueryServer({ projectId: 'agg-test' });
    const client = createBigQueryClient(bq.projectId, bq.url);
    const [dataset] = await client.createDataset('analytics');
    const [table] = await dataset.createTable('sales', { schema: { fields: salesBigQuerySchema() } });
    records = generateSales(1_500, 21);
    await table.insert(records.map((r) => ({ ...r, sale_amount: formatCents(r.sale_amount) })));
  });
  afterAll(async () => {
    await bq?.stop();
  });

  const CASES: [string, QueryFlags][] = [
    ['standard reports', {}],
    [
      'month and region, filtered',
      { by: ['date:month', 'region'], metrics: 'sum,avg,count,min,max', where: ['category!=Books', 'amount>=20.00'] },
    ],
    ['days of a year', { by: ['date', 'date:year'], metrics: 'count,max', where: ['date>=2025-12-01'] }],
    // (date:week uses DATE_TRUNC(…, ISOWEEK), which the DuckDB-backed test server cannot run: unit-tested in sql.test.ts.)
    [
      'top customers',
      { by: ['customer'], metrics: 'sum,count', where: ['region=North|South', 'date<2025-01-01'], top: 5 },
    ],
  ];

  it.each(CASES)('%s: same numbers as the records', async (_name, flags) => {
    const queries = buildQueries(flags);
    const engine = await loadEngine('bigquery');
    const groups = await engine.aggregate('analytics.sales', queries, {
      bigquery: { projectId: bq.projectId, apiEndpoint: bq.url },
    });
    expect(queries.map((q, i) => finishReport(q, groups[i]))).toEqual(
      queries.map((q) => finishReport(q, oracleGroups(records, q))),
    );
  });

  it('maps an unknown table to a typed error naming it', async () => {
    const engine = await loadEngine('bigquery');
    const err = await engine
      .aggregate('analytics.nope', buildQueries({}), { bigquery: { projectId: bq.projectId, apiEndpoint: bq.url } })
      .catch((e) => e);
    expect(err.context?.object).toBe('analytics.nope');
    expect(err.message).toMatch(/nope/);
  });
});
