/**
 * The BigQuery test server as the real @google-cloud/bigquery client sees it:
 * both URL layouts, table metadata, BigQuery value encodings, paging, insertAll
 * semantics, uploads, scripts and the JSON error format.
 */
import { BigQuery, type QueryResultsOptions } from '@google-cloud/bigquery';
import { PassThroughClient } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesBigQuerySchema } from '../../shared/schema/index.ts';
import { type RunningBigQueryServer, STATS_PATH, startBigQueryServer } from './bigquery-server/index.ts';
import { salesJson, sampleRows } from '../warehouse/fixtures.ts';

let server: RunningBigQueryServer;
let bq: BigQuery;
const PROJECT = 'server-test';

beforeAll(async () => {
  server = await startBigQueryServer({ projectId: PROJECT });
  bq = new BigQuery({ projectId: PROJECT, apiEndpoint: server.url, authClient: new PassThroughClient() });
  await bq.createDataset('ds');
  await bq.dataset('ds').createTable('sales', {
    schema: { fields: salesBigQuerySchema() },
    timePartitioning: { type: 'DAY', field: 'transaction_date' },
    clustering: { fields: ['sales_region', 'product_category'] },
  });
});

afterAll(async () => {
  await server?.stop();
});

/** A table of this test's own in `ds`, with the sales schema and these rows (no test reads another's tables). */
async function salesTable(name: string, rows: ReturnType<typeof sampleRows> = []) {
  await bq.dataset('ds').createTable(name, { schema: { fields: salesBigQuerySchema() } });
  const table = bq.dataset('ds').table(name);
  if (rows.length > 0)
    await table.insert(
      rows.map((r) => ({ insertId: r.id, json: salesJson(r) })),
      { raw: true },
    );
  return table;
}

describe('BigQuery test server', () => {
  it('serves the BIGQUERY_EMULATOR_HOST layout (no /bigquery/v2 prefix) as well as apiEndpoint', async () => {
    process.env.BIGQUERY_EMULATOR_HOST = server.url;
    try {
      const viaEnv = new BigQuery({ projectId: PROJECT, authClient: new PassThroughClient() });
      const [meta] = await viaEnv.dataset('ds').table('sales').getMetadata();
      expect(meta.timePartitioning).toEqual({ type: 'DAY', field: 'transaction_date' });
      expect(meta.clustering).toEqual({ fields: ['sales_region', 'product_category'] });
      expect(meta.schema.fields.find((f: { name: string }) => f.name === 'sale_amount')).toMatchObject({
        type: 'NUMERIC',
        precision: '12',
        scale: '2',
        mode: 'REQUIRED',
      });
    } finally {
      delete process.env.BIGQUERY_EMULATOR_HOST;
    }
  });

  it('answers GET /_test/stats with its live counters as JSON, for a bench running it as a process', async () => {
    const stats = async (path: string) => {
      const res = await fetch(`${server.url}${path}`);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      return res.json();
    };
    const before = (await stats(STATS_PATH)).transactions.aborted;
    expect(before).toBe(server.server.transactions.aborted);
    server.server.transactions.countAbort();
    server.server.transactions.countAbort();
    expect(await stats(STATS_PATH)).toEqual({ transactions: { aborted: before + 2 } });
    expect(await stats(`/bigquery/v2${STATS_PATH}`)).toEqual({ transactions: { aborted: before + 2 } });
    // Only a GET: the path is no BigQuery resource.
    expect((await fetch(`${server.url}${STATS_PATH}`, { method: 'POST' })).status).toBe(404);
  });

  it('answers errors in BigQuery JSON error format', async () => {
    const res = await fetch(`${server.url}/bigquery/v2/projects/${PROJECT}/datasets/nope`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: number; errors: { reason: string }[] } };
    expect(body.error.code).toBe(404);
    expect(body.error.errors[0].reason).toBe('notFound');
    const err = await bq
      .dataset('nope')
      .getMetadata()
      .catch((e) => e);
    expect(err.code).toBe(404);
    const dup = await bq.createDataset('ds').catch((e) => e);
    expect(dup.code).toBe(409);
    const bad = await bq.createQueryJob({ query: 'SELEC 1' }).catch((e) => e);
    expect(bad.errors?.[0]?.reason).toBe('invalidQuery');
  });

  it('encodes values as BigQuery does, and the client parses them', async () => {
    const sql =
      "SELECT CAST(9007199254740993 AS INT64) AS big, NUMERIC '1.50' AS n, DATE '2024-02-29' AS d, " +
      "TIMESTAMP '2024-01-02 03:04:05.123456' AS ts, 1.5 AS f, TRUE AS b, \"it's\" AS s, NULL AS z";
    const raw = await fetch(`${server.url}/bigquery/v2/projects/${PROJECT}/queries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: sql, useLegacySql: false, formatOptions: { useInt64Timestamp: true } }),
    });
    const body = (await raw.json()) as { schema: { fields: { type: string }[] }; rows: { f: { v: unknown }[] }[] };
    expect(body.schema.fields.map((f) => f.type)).toEqual([
      'INTEGER',
      'NUMERIC',
      'DATE',
      'TIMESTAMP',
      'NUMERIC',
      'BOOLEAN',
      'STRING',
      'INTEGER',
    ]);
    expect(body.rows[0].f.map((c) => c.v)).toEqual([
      '9007199254740993',
      '1.5',
      '2024-02-29',
      '1704164645123456',
      '1.5',
      'true',
      "it's",
      null,
    ]);
    const [rows] = await bq.query({ query: sql, wrapIntegers: true });
    expect(rows[0].big.value).toBe('9007199254740993');
    expect(rows[0].n.toString()).toBe('1.5');
    expect(rows[0].d.value).toBe('2024-02-29');
    // The client's PreciseDate prints nanoseconds.
    expect(rows[0].ts.value).toBe('2024-01-02T03:04:05.123456000Z');
    expect(rows[0].b).toBe(true);
    expect(rows[0].s).toBe("it's");
  });

  it('keeps DATE_TRUNC on a DATE a DATE, and SAFE_CAST returns NULL instead of failing', async () => {
    const [rows] = await bq.query(
      "SELECT DATE_TRUNC(DATE '2024-03-07', MONTH) AS m, SAFE_CAST('x' AS INT64) AS bad, DIV(7, 2) AS q",
    );
    expect(rows[0].m.value).toBe('2024-03-01');
    expect(rows[0].bad).toBeNull();
    expect(rows[0].q).toBe(3);
  });

  it('pages query results with maxResults/pageToken', async () => {
    await salesTable('paged', sampleRows(55, 31));
    const query = 'SELECT transaction_id FROM `server-test.ds.paged` ORDER BY transaction_id';
    const [job] = await bq.createQueryJob({ query });
    const [page1, next] = await job.getQueryResults({ maxResults: 20, autoPaginate: false });
    expect(page1).toHaveLength(20);
    expect(next?.pageToken).toBeTruthy();
    const all = [...page1];
    let pageQuery = next;
    const sizes = [page1.length];
    while (pageQuery) {
      const [page, after] = await job.getQueryResults({ ...pageQuery, autoPaginate: false } as QueryResultsOptions);
      all.push(...page);
      sizes.push(page.length);
      pageQuery = after;
    }
    expect(sizes).toEqual([20, 20, 15]);
    expect(new Set(all.map((r: { transaction_id: string }) => r.transaction_id)).size).toBe(55);
  });

  it('creates views through the tables API with their schema, and lists table data', async () => {
    const source = await salesTable('view_source', sampleRows(6, 35));
    await bq.dataset('ds').createTable('ids', {
      view: { query: 'SELECT transaction_id, sale_amount FROM `server-test.ds.view_source`', useLegacySql: false },
    });
    const [meta] = await bq.dataset('ds').table('ids').getMetadata();
    expect(meta.type).toBe('VIEW');
    expect(meta.schema.fields.map((f: { name: string; type: string }) => [f.name, f.type])).toEqual([
      ['transaction_id', 'STRING'],
      ['sale_amount', 'NUMERIC'],
    ]);
    const [rows] = await source.getRows({ maxResults: 5, autoPaginate: false });
    expect(rows).toHaveLength(5);
    expect(typeof rows[0].transaction_id).toBe('string');
  });

  it('insertAll: without skipInvalidRows nothing lands and valid rows are "stopped"; insertIds de-duplicate', async () => {
    const table = await salesTable('strict');
    const good = sampleRows(2, 32).map((r) => ({ insertId: r.id, json: salesJson(r) }));
    const bad = { insertId: 'bad', json: { ...salesJson(sampleRows(1, 33)[0]), sale_amount: '1.234', extra: 1 } };
    const err = await table.insert([good[0], bad, good[1]], { raw: true }).catch((e) => e);
    expect(err.name).toBe('PartialFailureError');
    expect(err.errors.map((e: { errors: { reason: string }[] }) => e.errors[0].reason)).toEqual([
      'stopped',
      'invalid',
      'stopped',
    ]);
    const reasons = err.errors[1].errors.map((e: { message: string }) => e.message).join('; ');
    expect(reasons).toMatch(/no such field: extra/);
    expect(reasons).toMatch(/more than 2 decimal places/);
    let [rows] = await bq.query('SELECT COUNT(*) AS n FROM ds.strict');
    expect(rows[0].n).toBe(0);
    await table.insert(good, { raw: true });
    await table.insert(good, { raw: true });
    [rows] = await bq.query('SELECT COUNT(*) AS n FROM ds.strict');
    expect(rows[0].n).toBe(2);
  });

  it('runs scripts with DML in a transaction and reports affected rows', async () => {
    const from = sampleRows(40, 36);
    await salesTable('script_from', from);
    await salesTable('script_to', sampleRows(5, 37));
    const [job] = await bq.createQueryJob({
      query:
        'BEGIN TRANSACTION; DELETE FROM ds.script_to WHERE TRUE; INSERT INTO ds.script_to SELECT * FROM ds.script_from WHERE sales_region = @r; COMMIT TRANSACTION;',
      params: { r: 'North' },
    });
    const [meta] = await job.getMetadata();
    expect(meta.status.state).toBe('DONE');
    expect(meta.statistics.query.statementType).toBe('SCRIPT');
    const [rows] = await bq.query({
      query: 'SELECT COUNTIF(sales_region != @r) AS others, COUNT(*) AS n FROM ds.script_to',
      params: { r: 'North' },
    });
    expect(rows[0]).toEqual({ others: 0, n: from.filter((r) => r.region === 'North').length });
  });

  it('accepts resumable uploads for load jobs', async () => {
    await salesTable('resumable');
    const ndjson = `${sampleRows(3, 34)
      .map((r) => JSON.stringify(salesJson(r)))
      .join('\n')}\n`;
    const start = await fetch(`${server.url}/upload/bigquery/v2/projects/${PROJECT}/jobs?uploadType=resumable`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        configuration: {
          load: {
            sourceFormat: 'NEWLINE_DELIMITED_JSON',
            destinationTable: { projectId: PROJECT, datasetId: 'ds', tableId: 'resumable' },
          },
        },
      }),
    });
    const location = start.headers.get('location')!;
    expect(location).toContain('upload_id=');
    const bytes = Buffer.from(ndjson);
    const half = 40;
    const partial = await fetch(location, {
      method: 'PUT',
      headers: { 'content-range': `bytes 0-${half - 1}/*` },
      body: bytes.subarray(0, half),
    });
    expect(partial.status).toBe(308);
    const done = await fetch(location, {
      method: 'PUT',
      headers: { 'content-range': `bytes ${half}-${bytes.length - 1}/${bytes.length}` },
      body: bytes.subarray(half),
    });
    const job = (await done.json()) as { status: { state: string }; statistics: { load: { outputRows: string } } };
    expect(job.status.state).toBe('DONE');
    expect(job.statistics.load.outputRows).toBe('3');
  });
});
