/**
 * bin/salesflow.js re-runs itself on the pinned Node when the Node that started it cannot
 * strip types (a system Node 20). Started here with `--no-experimental-strip-types`, the
 * launcher takes that same path. It must behave like the process it stands for: signals
 * reach the child once, it exits as the child did, and the child never outlives it.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSalesflow, runSalesflow, startSalesflow } from '../util/cli.ts';
import { useTempDir } from '../util/tmp.ts';

const RELAUNCH = ['--no-experimental-strip-types'];

/** Linux /proc: the one child of `pid`, and a process's state letter (R, S, T, Z…). */
function childOf(pid: number): number | undefined {
  try {
    const pids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return pids.length === 1 ? Number(pids[0]) : undefined;
  } catch {
    return undefined;
  }
}
function stateOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
  } catch {
    return undefined; // gone
  }
}
const alive = (pid: number) => stateOf(pid) !== undefined && stateOf(pid) !== 'Z';

/** Wait for a condition (checked every 20 ms); fail with `what` after `timeoutMs`. */
async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(process.platform !== 'linux')('launcher re-running on the pinned Node', () => {
  const tmp = useTempDir('salesflow-launcher-');
  const leftovers: number[] = [];
  afterEach(() => {
    // A failing test must not leave a generator writing gigabytes behind it.
    for (const pid of leftovers.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  /** A long `gen` that is writing its output; with `nodeArgs`, through the launcher. */
  async function startWritingGen(nodeArgs: string[], detached = false) {
    const dir = mkdtempSync(join(tmp(), 'gen-'));
    const run = startSalesflow(['gen', '-n', '20M', '-o', join(dir, 'sales.csv')], { nodeArgs, detached });
    const writer = nodeArgs.length > 0 ? await until(() => childOf(run.pid), 'the re-launched child') : run.pid;
    leftovers.push(run.pid, writer);
    await until(() => readdirSync(dir).some((f) => statSync(join(dir, f)).size > 0), 'gen to start writing');
    return { run, writer };
  }

  async function stopWith(run: RunningSalesflow, signal: NodeJS.Signals) {
    run.kill(signal);
    return run.processExit;
  }

  it('exits with the child’s code', async () => {
    const help = await runSalesflow(['--help'], { nodeArgs: RELAUNCH });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Commands:');
    const usage = await runSalesflow(['frobnicate'], { nodeArgs: RELAUNCH });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Unknown argument: frobnicate');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s to the launcher stops the child; the launcher ends as the child did',
    async (signal) => {
      const direct = await startWritingGen([]);
      const expected = await stopWith(direct.run, signal);

      const { run, writer } = await startWritingGen(RELAUNCH);
      const exit = await stopWith(run, signal);
      expect(alive(writer)).toBe(false); // the launcher waited for it
      expect(exit).toEqual(expected);
    },
  );

  it('Ctrl-C at a terminal (SIGINT to the whole process group) reaches the child once', async () => {
    // gen takes its first SIGINT as "stop after this block"; a second one would kill it outright.
    const direct = await startWritingGen([]);
    const expected = await stopWith(direct.run, 'SIGINT');
    expect(expected).toEqual({ code: expect.any(Number), signal: null });

    const { run, writer } = await startWritingGen(RELAUNCH, true);
    process.kill(-run.pid, 'SIGINT');
    expect(await run.processExit).toEqual(expected);
    expect(alive(writer)).toBe(false);
  });

  it('the child stops when the launcher is killed outright (SIGKILL)', async () => {
    const { run, writer } = await startWritingGen(RELAUNCH);
    expect(await stopWith(run, 'SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    await until(() => !alive(writer), 'the orphaned child to stop', 10_000);
  });

  it('Ctrl-Z suspends the child with the launcher, and fg resumes both', async () => {
    const { run, writer } = await startWritingGen(RELAUNCH);
    run.kill('SIGTSTP');
    await until(() => stateOf(writer) === 'T' && stateOf(run.pid) === 'T', 'both to stop');
    run.kill('SIGCONT');
    await until(() => stateOf(writer) !== 'T' && stateOf(run.pid) !== 'T', 'both to resume');
    expect(await stopWith(run, 'SIGTERM')).toEqual({ code: null, signal: 'SIGTERM' });
    expect(alive(writer)).toBe(false);
  });
});
