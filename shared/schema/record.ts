import type { Cents } from '../money.ts';

/** One sale, typed. `sale_amount` is integer cents; `transaction_date` is `YYYY-MM-DD`. */
export interface SalesRecord {
  transaction_id: string;
  customer_id: number;
  transaction_date: string;
  sale_amount: Cents;
  product_category: string;
  sales_region: string;
}
