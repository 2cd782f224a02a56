/** A few analyst questions answered from the demo warehouse's gold views. */
import { renderTable } from '../../warehouse/render.ts';
import { openWarehouse } from '../../warehouse/open.ts';
import { type DemoStep, need } from './step.ts';

const GOLD_DEMO_QUERIES: readonly { title: string; sql: string }[] = [
  {
    title: 'Sales by category (gold_sales_by_category)',
    sql: 'SELECT product_category, transactions, total_sales, average_sale FROM gold_sales_by_category ORDER BY total_sales DESC',
  },
  {
    title: 'Average sale by region (gold_avg_by_region)',
    sql: 'SELECT sales_region, transactions, average_sale FROM gold_avg_by_region ORDER BY sales_region',
  },
  {
    title: 'Top 5 customers (gold_top_customers)',
    sql: 'SELECT customer_id, customer_name, total_spent, purchases, last_purchase FROM gold_top_customers ORDER BY total_spent DESC, customer_id LIMIT 5',
  },
];

export const goldQueriesStep: DemoStep = {
  name: 'gold queries',
  describe: 'a few gold-view queries on the warehouse',
  async run(ctx) {
    const w = await openWarehouse(`duckdb:${need(ctx, 'warehouse', 'gold queries')}`, { access: 'read' });
    try {
      for (const q of GOLD_DEMO_QUERIES) {
        const r = await w.query(q.sql);
        ctx.note(`${q.title}\n${renderTable(r.fields, r.rows)}`);
      }
      const n = await w.query('SELECT COUNT(*) AS n FROM silver_sales');
      return { rows: Number(n.rows[0].n), output: w.target, detail: `${GOLD_DEMO_QUERIES.length} queries` };
    } finally {
      await w.close();
    }
  },
};
