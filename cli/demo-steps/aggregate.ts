/** The demo's standard aggregate reports over the Parquet lake. */
import { renderReports } from '../../aggregate/output.ts';
import { standardReports } from '../../aggregate/query.ts';
import { aggregate } from '../../aggregate/run.ts';
import { type DemoStep, need } from './step.ts';

export const aggregateStep: DemoStep = {
  name: 'aggregate',
  describe: 'standard reports over the Parquet lake (DuckDB engine)',
  async run(ctx) {
    const lake = need(ctx, 'lake', 'aggregate');
    const out = await aggregate({ source: lake, queries: standardReports(undefined, 5) });
    ctx.note(renderReports(out.reports, 'table'));
    return { output: lake, detail: `${out.reports.length} reports` };
  },
};
