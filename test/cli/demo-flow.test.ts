/**
 * The demo's whole flow on a small row count: every step ok, every generated row in silver, files archived,
 * dimensions loaded, and the report file written.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_STEPS, formatDemoReport, runDemo } from '../../cli/demo.ts';
import { runSalesflow } from '../util/cli.ts';
import { useTempDir } from '../util/tmp.ts';
import { withDuckDB } from '../pipelines/batch/fixtures.ts';

const tmp = useTempDir('salesflow-batch-demo-');

describe('demo: gen → to-parquet → upload → pipeline batch → dims → aggregate → gold queries → stream → report', () => {
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
    // Every generated customer and 25 products per category (10 categories).
    expect(byName.dims.rows).toBeGreaterThan(250);
    expect(byName.report.output).toBe(resolve(dir, 'report.html'));
    expect(byName.report.rows).toBe(3000 + (byName.stream.skipped ? 0 : (byName.stream.rows ?? 0)));
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('id="report-data"');
    expect(formatDemoReport(report)).toMatch(/pipeline batch\s+ok\s+3000/);
    // The report says how to query the demo's own warehouse, and that command answers from it.
    const hint = /query its warehouse: salesflow (query .+)$/m.exec(formatDemoReport(report));
    expect(hint?.[1]).toBe(`query -w duckdb:${join(dir, 'warehouse.duckdb')} --example top_customers`);
    const queried = await runSalesflow([...hint![1].split(' '), '-f', 'csv']);
    expect(queried.code, queried.stderr).toBe(0);
    expect(queried.stdout.trim().split('\n')).toHaveLength(11);
    // The gold queries were printed, top customers with their names.
    expect(notes.join('\n')).toMatch(/Top 5 customers[\s\S]*customer_id[\s\S]*customer_name/);
    // The stream step: events with the fault mix on top of the batch history (skipped, saying why, without gcloud).
    if (!byName.stream.skipped) {
      expect(byName.stream.rows).toBeGreaterThan(900);
      expect(notes.join('\n')).toMatch(/Rows per table after the stream[\s\S]*gold_sales_per_minute/);
    }
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
      const log = await w.query(
        "SELECT COUNT(*) AS n, SUM(rows_loaded) AS rows FROM load_log WHERE status = 'loaded' AND file LIKE '%.parquet'",
      );
      expect(log.rows[0]).toEqual({ n: archived.filter((f) => f.endsWith('.parquet')).length, rows: 3000 });
    });
  }, 120_000);
});
