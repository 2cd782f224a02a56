import type { Cents } from '../money.ts';

/**
 * An INT64 exactly: a number up to 2^53 - 1 (every id the generator makes), a
 * bigint above, up to 2^63 - 1. The common case stays a plain number on the hot
 * paths; nothing ever rounds an id through a double.
 */
export type Int64Value = number | bigint;

/** One sale, typed. `sale_amount` is integer cents; `transaction_date` is `YYYY-MM-DD`. */
export interface SalesRecord {
  transaction_id: string;
  customer_id: Int64Value;
  transaction_date: string;
  sale_amount: Cents;
  product_category: string;
  sales_region: string;
}
