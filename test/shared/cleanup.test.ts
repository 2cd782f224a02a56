/**
 * Interrupted commands leave nothing behind: the real CLI is signalled once it
 * shows progress (SIGINT, SIGTERM, SIGHUP), dies by that signal, and no temp
 * file or folder remains; leftovers of a SIGKILLed run (its pid is gone) are
 * removed by the next run that writes the same target.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSalesflow, startSalesflow } from '../util/cli.ts';
import { sampleRows, writeSalesCsv } from '../util/sales-csv.ts';
import { useTempDir } from '../util/tmp.ts';
import { batchCliArgs, csvText, put } from '../pipelines/batch/fixtures.ts';

const tmp = useTempDir('salesflow-cleanup-');
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The pid of a process that has exited (so a temp name carrying it is a leftover). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid as number;
}

const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.includes('.tmp-'));

describe('signals clean up what the command started', { timeout: 120_000 }, () => {
  /** A long-running command writing `out` (an atomic output in `dir`), and its first progress line. */
  const commands = {
    gen: (out: string) => ({ args: ['gen', '-n', '20M', '-o', out, '-w', '2', '--verbose'], progress: /gen \[/ }),
    'to-parquet': (out: string) => {
      const csv = join(tmp(), 'big.csv');
      if (!existsSync(csv)) writeSalesCsv(csv, sampleRows(400_000, 9));
      return { args: ['to-parquet', csv, '-o', out, '-p', 'region', '--verbose'], progress: /to-parquet \[/ };
    },
  };
  const cases = Object.keys(commands).flatMap((c) => SIGNALS.map((sig) => [c, sig] as [keyof typeof commands, string]));

  it.each(cases)('%s, %s mid-run: killed by it, no temp left, no output', async (command, signal) => {
    const dir = join(tmp(), `${command}-${signal}`);
    mkdirSync(dir);
    const out = join(dir, 'output');
    const { args, progress } = commands[command](out);
    const run = startSalesflow(args);
    await run.waitForStderr(progress); // the first progress line: work is under way
    expect(leftovers(dir)).toHaveLength(1);
    run.kill(signal as NodeJS.Signals);
    const res = await run.exited;
    expect(res.signal).toBe(signal);
    expect(leftovers(dir)).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });

  it('pipeline batch, SIGTERM while staging: its scratch folders are gone', async () => {
    const root = join(tmp(), 'batch');
    const scratch = join(root, 'tmp');
    mkdirSync(scratch, { recursive: true });
    put(join(root, 'landing', 'a.csv'), csvText(sampleRows(30_000, 3)));
    const run = startSalesflow(batchCliArgs(root), { env: { TMPDIR: scratch, SALESFLOW_LOG: 'debug' } });
    await run.waitForStderr(/TEMP VIEW stage_/); // a file is staged from its scratch copy
    expect(readdirSync(scratch).filter((n) => n.startsWith('salesflow-'))).not.toEqual([]);
    run.kill('SIGTERM');
    const res = await run.exited;
    expect(res.signal).toBe('SIGTERM');
    expect(readdirSync(scratch).filter((n) => n.startsWith('salesflow-'))).toEqual([]);
  });
});

describe('leftovers of killed runs are removed by the next run', { timeout: 120_000 }, () => {
  it('gen removes a dead process’s temp sibling of its output, and leaves a live one', async () => {
    const dir = join(tmp(), 'stale-gen');
    mkdirSync(dir);
    const dead = join(dir, `.sales.csv.tmp-${deadPid()}-0badf00d`);
    const live = join(dir, `.sales.csv.tmp-${process.pid}-0badf00d`);
    const other = join(dir, `.other.csv.tmp-${deadPid()}-0badf00d`);
    for (const p of [dead, live, other]) writeFileSync(p, 'half-written');
    const res = await runSalesflow(['gen', '-n', '1000', '-o', join(dir, 'sales.csv')]);
    expect(res.code).toBe(0);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true); // its process (this one) is alive: maybe still writing
    expect(existsSync(other)).toBe(true); // another target's: its own next run removes it
  });

  it('pipeline batch removes a SIGKILLed run’s scratch folders', async () => {
    const root = join(tmp(), 'stale-batch');
    const scratch = join(root, 'tmp');
    mkdirSync(scratch, { recursive: true });
    put(join(root, 'landing', 'a.csv'), csvText(sampleRows(100, 4)));
    const env = { TMPDIR: scratch };
    const crashed = await runSalesflow(batchCliArgs(root), { env: { ...env, SALESFLOW_CRASH_AT: 'after-stage' } });
    expect(crashed.signal).toBe('SIGKILL');
    expect(readdirSync(scratch).filter((n) => n.startsWith('salesflow-'))).not.toEqual([]);
    const rerun = await runSalesflow(batchCliArgs(root), { env });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(readdirSync(scratch).filter((n) => n.startsWith('salesflow-'))).toEqual([]);
  });
});
