/** The demo's sales CSV → a Parquet lake partitioned by region. */
import { join } from 'node:path';
import { convertToParquet } from '../../transform/convert.ts';
import { type DemoStep, need } from './step.ts';

export const toParquetStep: DemoStep = {
  name: 'to-parquet',
  describe: 'sales CSV → Parquet lake partitioned by region',
  async run(ctx) {
    const out = join(ctx.dir, 'lake');
    const m = await convertToParquet({
      input: need(ctx, 'salesCsv', 'to-parquet'),
      outDir: out,
      partitionBy: ['sales_region'],
      force: true,
    });
    ctx.files.lake = out;
    return { rows: m.rows, output: out, detail: `${m.files.length} files` };
  },
};
