/** The demo's first step: synthetic sales and the customers/products dimensions. */
import { join } from 'node:path';
import { generateSales } from '../../generator/generate.ts';
import type { DemoStep } from './step.ts';

export const genStep: DemoStep = {
  name: 'gen',
  describe: 'synthetic sales CSV + customers/products dimensions',
  async run(ctx) {
    const out = join(ctx.dir, 'sales.csv');
    // The demo owns its folder: re-running replaces its outputs.
    const s = await generateSales({ rows: ctx.rows, seed: ctx.seed, out, force: true, dimensions: true });
    ctx.files.salesCsv = out;
    if (s.dimensions) {
      ctx.files.customersCsv = s.dimensions.customers;
      ctx.files.productsCsv = s.dimensions.products;
    }
    return { rows: s.rows, output: out, detail: `${s.bytes} bytes` };
  },
};
