/** The demo's dims step: the generator's customers.csv and products.csv into the demo warehouse. */
import type { DemoStep } from '../../cli/demo.ts';
import { DuckDBWarehouse } from '../../warehouse/index.ts';
import { formatDimsReport } from './report.ts';
import { runDims } from './run-dims.ts';

export const dimsStep: DemoStep = {
  name: 'dims',
  describe: 'customers.csv / products.csv → dim_customers / dim_products',
  async run(ctx) {
    const files = [ctx.files.customersCsv, ctx.files.productsCsv];
    const db = ctx.files.warehouse;
    if (!files.every(Boolean) || !db) {
      throw new Error('the dims step needs the gen and pipeline batch steps first (dimension files and a warehouse)');
    }
    const w = await DuckDBWarehouse.open(db);
    try {
      let rows = 0;
      for (const file of files) {
        const s = await runDims({ source: file, warehouse: w });
        if (!s.ok) throw new Error(`dimension rows were rejected:\n${formatDimsReport(s)}`);
        rows += s.files.reduce((n, f) => n + f.rowsLoaded, 0);
      }
      return { rows, output: 'dim_customers, dim_products' };
    } finally {
      await w.close();
    }
  },
};
