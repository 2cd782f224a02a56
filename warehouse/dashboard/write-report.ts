/** `--out report.html`: the report as one self-contained file, written atomically. */
import { writeFile } from 'node:fs/promises';
import { prepareAtomicOutput } from '../../shared/atomic.ts';
import { type Place, refuseOverlap } from '../../shared/overlap.ts';
import { renderReportPage } from './render-page.ts';
import type { ReportModel } from './report-model.ts';

/**
 * Write the file (refusing to replace one unless `force`, and to write over,
 * around or inside `inputs`, e.g. the warehouse file); returns its size in bytes.
 */
export async function writeReportFile(
  model: ReportModel,
  out: string,
  opts: { force?: boolean; inputs?: readonly Place[] } = {},
): Promise<number> {
  refuseOverlap({ outputs: [{ path: out, role: '--out' }], inputs: opts.inputs ?? [] });
  const html = renderReportPage({ model, mode: 'file' });
  const target = await prepareAtomicOutput(out, { force: opts.force, what: 'report' });
  try {
    await writeFile(target.tmpPath, html);
    await target.commit();
  } finally {
    await target.abort();
  }
  return Buffer.byteLength(html);
}
