/** The demo's dims step: the generator's customers.csv and products.csv into the demo warehouse. */
import { formatDimsReport } from '../../pipelines/dims/report.ts';
import { runDims } from '../../pipelines/dims/run-dims.ts';
import { openWarehouse } from '../../warehouse/open.ts';
import type { DemoStep } from './step.ts';

export const dimsStep: DemoStep = {
  name: 'dims',
  describe: 'customers.csv / products.csv → dim_customers / dim_products',
  async run(ctx) {
    const files = [ctx.files.customersCsv, ctx.files.productsCsv];
    const db = ctx.files.warehouse;
    if (!files.every(Boolean) || !db) {
      throw new Error('the dims step needs the gen and pipeline batch steps first (dimension files and a warehouse)');
    }
    const w = await openWarehouse(`duckdb:${db}`, { access: 'pipeline' });
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
