/** The demo's landing files → bronze/silver/quarantine and the load log of a fresh DuckDB warehouse, files archived. */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { formatBatchReport } from '../../pipelines/batch/report.ts';
import { runBatch } from '../../pipelines/batch/run-batch.ts';
import { type DemoStep, need } from './step.ts';

export const pipelineBatchStep: DemoStep = {
  name: 'pipeline batch',
  describe: 'landing → bronze/silver/quarantine + load_log in DuckDB, files archived',
  async run(ctx) {
    const bucket = need(ctx, 'bucket', 'pipeline batch');
    const db = join(ctx.dir, 'warehouse.duckdb');
    await rm(db, { force: true });
    await rm(`${db}.wal`, { force: true });
    const s = await runBatch({
      source: join(bucket, 'landing'),
      warehouse: `duckdb:${db}`,
      archive: join(bucket, 'archive'),
    });
    ctx.note(formatBatchReport(s).split('\n').slice(-1)[0]);
    if (!s.ok) throw new Error(`rows or files were rejected:\n${formatBatchReport(s)}`);
    ctx.files.warehouse = db;
    return { rows: s.rowsLoaded, output: db, detail: `${s.files.length} files` };
  },
};
