/** The demo's whole flow on a small row count: every step ok, every generated row in silver, files archived. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_STEPS, formatDemoReport, runDemo } from '../../../cli/demo.ts';
import { useTempDir } from '../../util/tmp.ts';
import { withDuckDB } from './fixtures.ts';

const tmp = useTempDir('salesflow-batch-demo-');

describe('demo: gen → to-parquet → upload → pipeline batch → aggregate → gold queries → stream', () => {
  it('runs every step on 3,000 rows and reports each', async () => {
    const dir = join(tmp(), 'demo');
    const notes: string[] = [];
    const report = await runDemo({ dir, rows: 3000, seed: 7, note: (m) => notes.push(m) });
    expect(report.steps.map((s) => [s.name, s.status])).toEqual(DEMO_STEPS.map((s) => [s.name, 'ok']));
    const byName = Object.fromEntries(report.steps.map((s) => [s.name, s]));
    expect(byName.gen.rows).toBe(3000);
    expect(byName['to-parquet'].rows).toBe(3000);
    expect(byName['pipeline batch'].rows).toBe(3000);
    expect(byName['gold queries'].rows).toBe(3000);
    expect(formatDemoReport(report)).toMatch(/pipeline batch\s+ok\s+3000/);
    // The stream step: 1,000 events with the fault mix, on top of the batch history.
    expect(byName.stream.rows).toBeGreaterThan(900);
    expect(notes.join('\n')).toMatch(/Rows per table after the stream[\s\S]*gold_sales_per_minute/);
    // The gold queries were printed.
    expect(notes.join('\n')).toMatch(/Top 5 customers[\s\S]*customer_id/);
    // Loaded files left the landing area for the archive; bookkeeping files stay.
    const landing = join(dir, 'bucket/landing/lake');
    const archived = readdirSync(join(dir, 'bucket/archive/lake'), { recursive: true }).map(String);
    expect(archived.some((f) => f.endsWith('.parquet'))).toBe(true);
    expect(
      readdirSync(landing, { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.parquet')),
    ).toEqual([]);
    expect(existsSync(join(landing, '_SUCCESS'))).toBe(true);
    await withDuckDB(join(dir, 'warehouse.duckdb'), async (w) => {
      const log = await w.query("SELECT COUNT(*) AS n, SUM(rows_loaded) AS rows FROM load_log WHERE status = 'loaded'");
      expect(log.rows[0]).toEqual({ n: archived.filter((f) => f.endsWith('.parquet')).length, rows: 3000 });
    });
  }, 120_000);
});
