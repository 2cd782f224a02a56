/** `salesflow pipeline batch` as a process: exit codes and the report. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSalesflow, startSalesflow } from '../../util/cli.ts';
import { useTempDir } from '../../util/tmp.ts';
import { batchCliArgs, csvText, put, sampleRows } from './fixtures.ts';

const tmp = useTempDir('salesflow-batch-cli-');

describe('salesflow pipeline batch (CLI)', () => {
  it('refuses invalid flags with exit 2', async () => {
    const res = await runSalesflow(['pipeline', 'batch', '-s', tmp(), '--max-error-rate', '1.5']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--max-error-rate must be a number from 0 to 1, got "1.5"/);
  }, 60_000);

  it('loads the good file, rejects the bad one, prints the per-file report and exits 3', async () => {
    const root = tmp();
    put(join(root, 'landing/good.csv'), csvText(sampleRows(25, 51)));
    put(join(root, 'landing/bad.csv'), 'just,two\n1,2\n');
    const res = await runSalesflow(batchCliArgs(root, '--delete-source'));
    expect(res.code, res.stderr).toBe(3);
    expect(res.stdout).toMatch(/bad\.csv\s+rejected\s+0\s+0\s+0\s+0\s+moved to .*rejected\/bad\.csv/);
    expect(res.stdout).toMatch(/good\.csv\s+loaded\s+25\s+25\s+0\s+0\s+deleted/);
    expect(res.stdout).toMatch(/rejected bad\.csv: line 1: /);
    expect(res.stdout).toMatch(/2 files: 25 rows read, 25 loaded, 0 rejected, 0 duplicate, 1 files rejected/);
  }, 60_000);

  it('--min-age leaves a file written too recently in place (waiting, exit 0); a bad value exits 2', async () => {
    const root = join(tmp(), 'min-age');
    put(join(root, 'landing/fresh.csv'), csvText(sampleRows(5, 71)));
    const res = await runSalesflow(batchCliArgs(root, '--archive', join(root, 'archive'), '--min-age', '1h'));
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(
      /fresh\.csv\s+waiting\s+0\s+0\s+0\s+0\s+left in place: modified .* ago, less than --min-age 3600s/,
    );
    expect(res.stdout).toMatch(/1 waiting for a later run/);
    const bad = await runSalesflow(batchCliArgs(root, '--min-age', 'soon'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--min-age "soon"/);
  }, 60_000);

  it('--watch loads files as they land, keeps going, and stops cleanly on SIGTERM', async () => {
    const root = tmp();
    const landing = join(root, 'landing');
    put(join(landing, 'first.csv'), csvText(sampleRows(10, 61)));
    const run = startSalesflow(batchCliArgs(root, '--archive', join(root, 'archive'), '--watch', '1s'));
    try {
      await run.waitForStdout(/first\.csv\s+loaded\s+10\s+10/);
      put(join(landing, 'second.csv'), csvText(sampleRows(7, 62)));
      await run.waitForStdout(/second\.csv\s+loaded\s+7\s+7/);
      run.kill('SIGTERM');
      const res = await run.exited;
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toMatch(/stopping after the current pass/);
      // Each file loaded once, in its own pass; later passes found nothing new.
      expect(res.stdout.match(/^first\.csv /gm)).toHaveLength(1);
      expect(res.stdout.match(/^second\.csv /gm)).toHaveLength(1);
    } finally {
      run.kill('SIGKILL');
    }
  }, 60_000);
});
