/**
 * The same data in both warehouses: every gold view and every example query
 * returns the same rows on DuckDB and on BigQuery (through the REST test
 * server), and the gold numbers match totals computed from the records.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { averageCents, formatCents } from '../../shared/money.ts';
import { BigQueryWarehouse } from '../../warehouse/bigquery-warehouse.ts';
import { DuckDBWarehouse } from '../../warehouse/duckdb-warehouse.ts';
import { listExamples } from '../../warehouse/examples.ts';
import { VIEW_NAMES } from '../../warehouse/views.ts';
import type { Row, Warehouse } from '../../warehouse/warehouse.ts';
import { type RunningBigQueryServer, startBigQueryServer } from '../util/bigquery-server/index.ts';
import { useTempDir } from '../util/tmp.ts';
import { type SampleRow, salesJson, sampleRows } from './fixtures.ts';

const dir = useTempDir('salesflow-xdialect-');
let server: RunningBigQueryServer;
let duck: Warehouse;
let bq: Warehouse;

// Few customers so gold_top_customers has real aggregates; amounts chosen so some
// averages land exactly on half a cent.
const rows: SampleRow[] = sampleRows(600, 21).map((r, i) => ({
  ...r,
  customer: 1 + (i % 37),
  cents: i % 50 === 0 ? 1005 + (i % 2) : r.cents,
}));

async function fill(w: Warehouse): Promise<void> {
  await w.ensure();
  const put = await w.insertRows(
    'silver_sales',
    rows.map((r) => ({ insertId: r.id, row: salesJson(r) })),
  );
  expect(put.errors).toEqual([]);
  await w.insertRows('quarantine_sales', [
    {
      row: {
        raw_row: 'TX-9,abc,2024-01-01,1.00,Books,North',
        _source_file: 'a.csv',
        _line: 3,
        reasons: 'customer_id "abc" is not a whole number',
        _ingested_at: '2024-05-01T10:00:00Z',
      },
    },
  ]);
  await w.insertRows('load_log', [
    {
      row: {
        file: 'a.csv',
        attempt: 1,
        size_bytes: 1234,
        checksum: 'sha256:00',
        rows_read: 601,
        rows_loaded: 600,
        rows_rejected: 1,
        rows_duplicate: 0,
        status: 'partial',
        started_at: '2024-05-01T10:00:00Z',
        finished_at: '2024-05-01T10:00:02.5Z',
      },
    },
  ]);
}

/** Rows in a canonical order, so unordered views compare equal. */
const sorted = (rs: Row[]) => [...rs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

beforeAll(async () => {
  server = await startBigQueryServer({ projectId: 'xdialect' });
  duck = await DuckDBWarehouse.open(join(dir(), 'w.duckdb'));
  bq = await BigQueryWarehouse.open({ projectId: 'xdialect', dataset: 'sales', endpoint: server.url });
  await Promise.all([fill(duck), fill(bq)]);
});

afterAll(async () => {
  await duck?.close();
  await server?.stop();
});

describe('both dialects return the same numbers', () => {
  for (const view of VIEW_NAMES) {
    it(`view ${view}`, async () => {
      const [a, b] = await Promise.all([duck.query(`SELECT * FROM ${view}`), bq.query(`SELECT * FROM ${view}`)]);
      expect(a.rows.length).toBeGreaterThan(0);
      expect(sorted(b.rows)).toEqual(sorted(a.rows));
      expect(b.fields).toEqual(a.fields);
    });
  }

  for (const example of listExamples()) {
    it(`example ${example.name}`, async () => {
      const [a, b] = await Promise.all([
        duck.query(example.sql, { params: example.params }),
        bq.query(example.sql, { params: example.params }),
      ]);
      expect(a.rows.length).toBeGreaterThan(0);
      expect(b.rows).toEqual(a.rows);
    });
  }

  it('gold_avg_by_region matches averages computed from the records in integer cents', async () => {
    const expected = new Map<string, { n: number; sum: bigint }>();
    for (const r of rows) {
      const g = expected.get(r.region) ?? { n: 0, sum: 0n };
      g.n++;
      g.sum += BigInt(r.cents);
      expected.set(r.region, g);
    }
    for (const w of [duck, bq]) {
      const got = await w.query('SELECT * FROM gold_avg_by_region ORDER BY sales_region');
      expect(got.rows).toEqual(
        [...expected.entries()]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([region, g]) => ({
            sales_region: region,
            transactions: g.n,
            total_sales: formatCents(g.sum),
            average_sale: formatCents(averageCents(g.sum, g.n)),
          })),
      );
    }
  });

  it('gold_daily_sales rounds half-cent averages away from zero on both', async () => {
    // Two sales of 10.05 and 10.06 on one day/region/category average 10.055 → 10.06.
    const extra = [
      { id: 'HALF-1', cents: 1005 },
      { id: 'HALF-2', cents: 1006 },
    ].map((x) => ({
      insertId: x.id,
      row: salesJson({
        id: x.id,
        customer: 999,
        date: '1999-01-01',
        cents: x.cents,
        category: 'Books',
        region: 'West',
      }),
    }));
    for (const w of [duck, bq]) {
      await w.insertRows('silver_sales', extra);
      try {
        const got = await w.query('SELECT average_ticket FROM gold_daily_sales WHERE transaction_date = @d', {
          params: { d: { type: 'DATE', value: '1999-01-01' } },
        });
        expect(got.rows).toEqual([{ average_ticket: '10.06' }]);
      } finally {
        // The other tests compare the views with the fixture's rows alone.
        await w.run("DELETE FROM silver_sales WHERE transaction_id LIKE 'HALF-%'");
      }
    }
  });
});
