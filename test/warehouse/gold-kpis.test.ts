/**
 * The enriched view and the gold KPIs on a fixture small enough to check by
 * hand (test/util/gold-fixture.ts), with the expected numbers worked out below,
 * on DuckDB and on BigQuery through the REST test server.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BigQueryWarehouse } from '../../warehouse/bigquery-warehouse.ts';
import { DuckDBWarehouse } from '../../warehouse/duckdb-warehouse.ts';
import { TICKET_CATEGORIES, ticketCategorySql } from '../../warehouse/ticket-categories.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { type RunningBigQueryServer, startBigQueryServer } from '../util/bigquery-server/index.ts';
import { fillGoldFixture, GOLD_SALES } from '../util/gold-fixture.ts';
import { useTempDir } from '../util/tmp.ts';

const dir = useTempDir('salesflow-gold-');
let server: RunningBigQueryServer;
const warehouses: Record<string, Warehouse> = {};

beforeAll(async () => {
  server = await startBigQueryServer({ projectId: 'gold' });
  warehouses.duckdb = await DuckDBWarehouse.open(join(dir(), 'w.duckdb'));
  warehouses.bigquery = await BigQueryWarehouse.open({ projectId: 'gold', dataset: 'kpis', endpoint: server.url });
  for (const w of Object.values(warehouses)) {
    await w.ensure();
    await fillGoldFixture(w);
  }
});

afterAll(async () => {
  await warehouses.duckdb?.close();
  await server?.stop();
});

/** The category of an amount in cents, computed here from the bounds (what the SQL must agree with). */
function ticketCategoryOf(cents: number): string {
  return TICKET_CATEGORIES.find((c) => c.belowCents === undefined || cents < c.belowCents)?.name ?? 'none';
}

describe('ticket categories', () => {
  it('bounds are in one place, increasing, and the SQL follows them', () => {
    const bounds = TICKET_CATEGORIES.flatMap((c) => (c.belowCents === undefined ? [] : [c.belowCents]));
    expect(bounds).toEqual([...bounds].sort((a, b) => a - b));
    expect(TICKET_CATEGORIES.at(-1)?.belowCents).toBeUndefined();
    expect(ticketCategoryOf(2499)).toBe('small');
    expect(ticketCategoryOf(2500)).toBe('medium');
    expect(ticketCategoryOf(10_000)).toBe('large');
    expect(ticketCategoryOf(50_000)).toBe('premium');
    expect(ticketCategorySql('x')).toBe(
      "CASE WHEN x * 100 < 2500 THEN 'small' WHEN x * 100 < 10000 THEN 'medium' WHEN x * 100 < 50000 THEN 'large' ELSE 'premium' END",
    );
  });
});

for (const dialect of ['duckdb', 'bigquery'] as const) {
  describe(`gold KPIs on ${dialect}`, () => {
    const q = async (sql: string) => (await warehouses[dialect].query(sql)).rows;

    it('silver_sales_enriched: every fact, names where a customer row exists, ticket category by amount', async () => {
      const rows = await q(
        'SELECT transaction_id, customer_name, customer_city, customer_home_region, ticket_category FROM silver_sales_enriched ORDER BY transaction_id',
      );
      const names: Record<number, [string, string, string]> = {
        1: ['Ann Lee', 'Oslo', 'North'],
        2: ['Bob Stone', 'Rome', 'South'],
      };
      expect(rows).toEqual(
        GOLD_SALES.map((s) => ({
          transaction_id: s.id,
          customer_name: names[s.customer]?.[0] ?? null,
          customer_city: names[s.customer]?.[1] ?? null,
          customer_home_region: names[s.customer]?.[2] ?? null,
          ticket_category: ticketCategoryOf(Math.round(Number(s.amount) * 100)),
        })),
      );
      // The bounds land where they should: 24.99 small, 25.00 medium, 100.00 large, 600.00 premium.
      expect(rows.map((r) => r.ticket_category)).toEqual([
        'small',
        'medium',
        'large',
        'premium',
        'medium',
        'large',
        'small',
        'small',
        'medium',
      ]);
    });

    it('gold_sales_by_day_region: transactions, total, average ticket rounded half up', async () => {
      expect(await q('SELECT * FROM gold_sales_by_day_region ORDER BY transaction_date, sales_region')).toEqual([
        // 10.00 + 30.05 = 40.05 over 2 → 20.025 → 20.03
        {
          transaction_date: '2024-01-10',
          sales_region: 'North',
          transactions: 2,
          total_sales: '40.05',
          average_ticket: '20.03',
        },
        {
          transaction_date: '2024-01-11',
          sales_region: 'South',
          transactions: 1,
          total_sales: '200.00',
          average_ticket: '200.00',
        },
        {
          transaction_date: '2024-02-05',
          sales_region: 'North',
          transactions: 1,
          total_sales: '600.00',
          average_ticket: '600.00',
        },
        {
          transaction_date: '2024-02-20',
          sales_region: 'South',
          transactions: 1,
          total_sales: '25.00',
          average_ticket: '25.00',
        },
        {
          transaction_date: '2024-02-21',
          sales_region: 'North',
          transactions: 1,
          total_sales: '100.00',
          average_ticket: '100.00',
        },
        {
          transaction_date: '2024-02-21',
          sales_region: 'South',
          transactions: 1,
          total_sales: '24.99',
          average_ticket: '24.99',
        },
        {
          transaction_date: '2024-03-02',
          sales_region: 'North',
          transactions: 1,
          total_sales: '20.00',
          average_ticket: '20.00',
        },
        {
          transaction_date: '2024-04-01',
          sales_region: 'East',
          transactions: 1,
          total_sales: '50.00',
          average_ticket: '50.00',
        },
      ]);
    });

    it('gold_top_customers: names from dim_customers, NULL for a customer without a row', async () => {
      expect(await q('SELECT * FROM gold_top_customers ORDER BY total_spent DESC, customer_id')).toEqual([
        // 600.00 + 50.00
        {
          customer_id: 3,
          customer_name: null,
          customer_city: null,
          total_spent: '650.00',
          purchases: 2,
          last_purchase: '2024-04-01',
        },
        // 200.00 + 25.00 + 24.99
        {
          customer_id: 2,
          customer_name: 'Bob Stone',
          customer_city: 'Rome',
          total_spent: '249.99',
          purchases: 3,
          last_purchase: '2024-02-21',
        },
        // 10.00 + 30.05 + 100.00 + 20.00
        {
          customer_id: 1,
          customer_name: 'Ann Lee',
          customer_city: 'Oslo',
          total_spent: '160.05',
          purchases: 4,
          last_purchase: '2024-03-02',
        },
      ]);
    });

    it('gold_category_performance: revenue, share of the month, average ticket, growth over the previous calendar month', async () => {
      expect(await q('SELECT * FROM gold_category_performance ORDER BY month, product_category')).toEqual([
        // January: 240.05 in all. Books 40.05 / 240.05 = 16.684 % → 16.68; Electronics 83.316 % → 83.32.
        {
          month: '2024-01-01',
          product_category: 'Books',
          transactions: 2,
          revenue: '40.05',
          average_ticket: '20.03',
          revenue_share_pct: '16.68',
          mom_growth_pct: null,
        },
        {
          month: '2024-01-01',
          product_category: 'Electronics',
          transactions: 1,
          revenue: '200.00',
          average_ticket: '200.00',
          revenue_share_pct: '83.32',
          mom_growth_pct: null,
        },
        // February: 749.99. Books 149.99 (3 sales, 49.9967 → 50.00): 19.9989 % → 20.00, growth 109.94 / 40.05 = 274.507 % → 274.51.
        {
          month: '2024-02-01',
          product_category: 'Books',
          transactions: 3,
          revenue: '149.99',
          average_ticket: '50.00',
          revenue_share_pct: '20.00',
          mom_growth_pct: '274.51',
        },
        // Electronics 600.00: 80.0011 % → 80.00, growth 400 / 200 = 200 %.
        {
          month: '2024-02-01',
          product_category: 'Electronics',
          transactions: 1,
          revenue: '600.00',
          average_ticket: '600.00',
          revenue_share_pct: '80.00',
          mom_growth_pct: '200.00',
        },
        // March: Books alone; growth (20.00 − 149.99) / 149.99 = −86.6658 % → −86.67 (half away from zero).
        {
          month: '2024-03-01',
          product_category: 'Books',
          transactions: 1,
          revenue: '20.00',
          average_ticket: '20.00',
          revenue_share_pct: '100.00',
          mom_growth_pct: '-86.67',
        },
        // April: Electronics after a month without it: no growth figure (February is not the previous month).
        {
          month: '2024-04-01',
          product_category: 'Electronics',
          transactions: 1,
          revenue: '50.00',
          average_ticket: '50.00',
          revenue_share_pct: '100.00',
          mom_growth_pct: null,
        },
      ]);
    });

    it('gold_load_health: load_log status counts per day', async () => {
      expect(await q('SELECT * FROM gold_load_health ORDER BY load_date, status')).toEqual([
        {
          load_date: '2024-05-01',
          status: 'loaded',
          files: 1,
          rows_read: 5,
          rows_loaded: 5,
          rows_rejected: 0,
          rows_duplicate: 0,
          last_finished_at: '2024-05-01T10:00:30.000000Z',
        },
        {
          load_date: '2024-05-01',
          status: 'partial',
          files: 1,
          rows_read: 4,
          rows_loaded: 3,
          rows_rejected: 1,
          rows_duplicate: 0,
          last_finished_at: '2024-05-01T11:00:30.000000Z',
        },
        {
          load_date: '2024-05-02',
          status: 'rejected',
          files: 1,
          rows_read: 10,
          rows_loaded: 0,
          rows_rejected: 10,
          rows_duplicate: 0,
          last_finished_at: '2024-05-02T09:00:30.000000Z',
        },
      ]);
    });

    it('gold_quarantine_reasons: single reasons without the offending values, ranked by rows', async () => {
      expect(
        await q(
          'SELECT reason_rank, reason, row_count, files FROM gold_quarantine_reasons ORDER BY reason_rank, reason',
        ),
      ).toEqual([
        { reason_rank: 1, reason: 'customer_id is not a whole number', row_count: 2, files: 2 },
        { reason_rank: 2, reason: 'sale_amount must be greater than 0', row_count: 1, files: 1 },
        { reason_rank: 2, reason: 'sale_amount: is missing or not greater than 0', row_count: 1, files: 1 },
      ]);
    });
  });
}
