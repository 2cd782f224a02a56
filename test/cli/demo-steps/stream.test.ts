/** Without the Google Cloud SDK the demo's stream step is skipped, saying what to install; the demo still succeeds. */
import { describe, expect, it } from 'vitest';
import { formatDemoReport, runDemo } from '../../../cli/demo.ts';
import { streamStep } from '../../../cli/demo-steps/stream.ts';
import { useTempDir } from '../../util/tmp.ts';

const tmp = useTempDir('salesflow-stream-demo-');

describe('demo stream step', () => {
  it('is skipped with the reason when gcloud is not on PATH', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const report = await runDemo({ dir: tmp(), rows: 1000, steps: [streamStep] });
      expect(report.ok).toBe(true);
      expect(report.steps[0]).toMatchObject({ name: 'stream', status: 'skipped' });
      expect(formatDemoReport(report)).toMatch(/stream skipped: no Pub\/Sub emulator: .*gcloud/);
    } finally {
      process.env.PATH = path;
    }
  });
});
