/** The demo's last step: the dashboard as one self-contained file, data/demo/report.html. */
import { join, resolve } from 'node:path';
import { loadReportModel } from '../../warehouse/dashboard/report-model.ts';
import { writeReportFile } from '../../warehouse/dashboard/write-report.ts';
import type { DemoStep } from './step.ts';

export const reportStep: DemoStep = {
  name: 'report',
  describe: 'the dashboard as one HTML file (open it in a browser, offline)',
  async run(ctx) {
    const db = ctx.files.warehouse;
    if (!db) throw new Error('the report step needs the pipeline batch step first (a warehouse)');
    const model = await loadReportModel({ warehouse: `duckdb:${db}` });
    if (model.notice?.level === 'error') throw new Error(model.notice.message);
    const out = resolve(join(ctx.dir, 'report.html'));
    // The demo owns its folder: re-running replaces the report.
    const bytes = await writeReportFile(model, out, { force: true });
    ctx.files.report = out;
    return { rows: Number(model.panels.kpis.rows[0]?.transactions ?? 0), output: out, detail: `${bytes} bytes` };
  },
};
