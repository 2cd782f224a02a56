/**
 * A small warehouse whose gold numbers can be checked by hand: 9 sales over four
 * months, two customers with a dimension row and one without, ticket amounts
 * on the category bounds, a category that skips a month, three load_log rows
 * and three quarantined rows (one with a `;` inside its quoted value).
 */
import type { Warehouse } from '../../warehouse/warehouse.ts';

export interface GoldSale {
  id: string;
  customer: number;
  date: string;
  amount: string;
  category: string;
  region: string;
}

export const GOLD_SALES: readonly GoldSale[] = [
  { id: 'T1', customer: 1, date: '2024-01-10', amount: '10.00', category: 'Books', region: 'North' },
  { id: 'T2', customer: 1, date: '2024-01-10', amount: '30.05', category: 'Books', region: 'North' },
  { id: 'T3', customer: 2, date: '2024-01-11', amount: '200.00', category: 'Electronics', region: 'South' },
  { id: 'T4', customer: 3, date: '2024-02-05', amount: '600.00', category: 'Electronics', region: 'North' },
  { id: 'T5', customer: 2, date: '2024-02-20', amount: '25.00', category: 'Books', region: 'South' },
  { id: 'T6', customer: 1, date: '2024-02-21', amount: '100.00', category: 'Books', region: 'North' },
  { id: 'T7', customer: 2, date: '2024-02-21', amount: '24.99', category: 'Books', region: 'South' },
  { id: 'T8', customer: 1, date: '2024-03-02', amount: '20.00', category: 'Books', region: 'North' },
  { id: 'T9', customer: 3, date: '2024-04-01', amount: '50.00', category: 'Electronics', region: 'East' },
];

export const GOLD_CUSTOMERS = [
  { customer_id: 1, name: 'Ann Lee', email: 'ann.lee1@example.com', city: 'Oslo', region: 'North' },
  { customer_id: 2, name: 'Bob Stone', email: 'bob.stone2@example.com', city: 'Rome', region: 'South' },
] as const;

export const GOLD_LOAD_LOG = [
  { file: 'a.csv', status: 'loaded', started_at: '2024-05-01T10:00:00Z', read: 5, loaded: 5, rejected: 0 },
  { file: 'b.csv', status: 'partial', started_at: '2024-05-01T11:00:00Z', read: 4, loaded: 3, rejected: 1 },
  { file: 'c.csv', status: 'rejected', started_at: '2024-05-02T09:00:00Z', read: 10, loaded: 0, rejected: 10 },
] as const;

export const GOLD_QUARANTINE = [
  { file: 'a.csv', reasons: 'customer_id "abc" is not a whole number' },
  { file: 'b.csv', reasons: 'customer_id "x;y" is not a whole number; sale_amount "-1" must be greater than 0' },
  { file: 'c.parquet', reasons: 'sale_amount: is missing or not greater than 0' },
] as const;

/** Fill an ensured warehouse with the fixture (through the warehouse interface, so both dialects get the same rows). */
export async function fillGoldFixture(w: Warehouse): Promise<void> {
  const check = (what: string, r: { errors: unknown[] }) => {
    if (r.errors.length > 0) throw new Error(`${what}: ${JSON.stringify(r.errors)}`);
  };
  check(
    'silver_sales',
    await w.insertRows(
      'silver_sales',
      GOLD_SALES.map((s) => ({
        insertId: s.id,
        row: {
          transaction_id: s.id,
          customer_id: s.customer,
          transaction_date: s.date,
          sale_amount: s.amount,
          product_category: s.category,
          sales_region: s.region,
        },
      })),
    ),
  );
  check(
    'dim_customers',
    await w.insertRows(
      'dim_customers',
      GOLD_CUSTOMERS.map((c) => ({ row: { ...c } })),
    ),
  );
  check(
    'load_log',
    await w.insertRows(
      'load_log',
      GOLD_LOAD_LOG.map((l) => ({
        row: {
          file: l.file,
          attempt: 1,
          status: l.status,
          rows_read: l.read,
          rows_loaded: l.loaded,
          rows_rejected: l.rejected,
          rows_duplicate: 0,
          started_at: l.started_at,
          finished_at: l.started_at.replace(':00Z', ':30Z'),
        },
      })),
    ),
  );
  check(
    'quarantine_sales',
    await w.insertRows(
      'quarantine_sales',
      GOLD_QUARANTINE.map((q, i) => ({
        row: {
          raw_row: `bad row ${i}`,
          _source_file: q.file,
          _line: i + 2,
          reasons: q.reasons,
          _ingested_at: '2024-05-01T10:00:00Z',
        },
      })),
    ),
  );
}
