/**
 * bin/salesflow.js re-runs itself on the pinned Node when the Node that started it cannot
 * strip types (a system Node 20). Started here with `--no-experimental-strip-types`, the
 * launcher takes that same path. It must behave like the process it stands for: signals
 * reach the child once, it exits as the child did, and the child never outlives it.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSalesflow, runSalesflow, startSalesflow } from '../util/cli.ts';
import { useTempDir } from '../util/tmp.ts';

const RELAUNCH = ['--no-experimental-strip-types'];
const COUNTER = fileURLToPath(new URL('./fixtures/launch-counter.js', import.meta.url));

/** Linux /proc: the one child of `pid`; a process's state letter (R, S, T, Z…) and process group. */
function childOf(pid: number): number | undefined {
  try {
    const pids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return pids.length === 1 ? Number(pids[0]) : undefined;
  } catch {
    return undefined;
  }
}
function statOf(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ');
    return { state: fields[0], pgrp: Number(fields[2]) };
  } catch {
    return undefined; // gone
  }
}
const stateOf = (pid: number) => statOf(pid)?.state;
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
    // One thread: the test needs a process writing, not speed, and the cores are shared.
    const args = ['gen', '-n', '20M', '-w', '0', '-o', join(dir, 'sales.csv')];
    const run = startSalesflow(args, { nodeArgs, detached });
    const writer = nodeArgs.length > 0 ? await until(() => childOf(run.pid), 'the re-launched child') : run.pid;
    leftovers.push(run.pid, writer);
    await until(() => readdirSync(dir).some((f) => statSync(join(dir, f)).size > 0), 'gen to start writing');
    return { run, writer };
  }

  async function stopWith(run: RunningSalesflow, signal: NodeJS.Signals) {
    run.kill(signal);
    return run.processExit;
  }

  /** How `gen` started without the launcher ends on `signal`: what the launcher must reproduce. */
  const direct = new Map<NodeJS.Signals, ReturnType<typeof stopWith>>();
  function directExit(signal: NodeJS.Signals) {
    if (!direct.has(signal))
      direct.set(
        signal,
        startWritingGen([]).then(({ run }) => stopWith(run, signal)),
      );
    return direct.get(signal)!;
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
      const expected = await directExit(signal);
      const { run, writer } = await startWritingGen(RELAUNCH);
      const exit = await stopWith(run, signal);
      expect(alive(writer)).toBe(false); // the launcher waited for it
      expect(exit).toEqual(expected);
    },
  );

  it('Ctrl-C at a terminal (SIGINT to the whole process group) reaches the child once', async () => {
    const run = startSalesflow([], { script: COUNTER, detached: true });
    await run.waitForStdout(/ready/);
    // Outside the launcher's process group, the child gets only what the launcher forwards.
    // (Inside it, a second copy would often merge with the first in the kernel, which is
    // why the count below alone cannot be relied on to catch a double delivery.)
    const child = await until(() => childOf(run.pid), 'the re-launched child');
    expect(statOf(child)?.pgrp).not.toBe(statOf(run.pid)?.pgrp);
    process.kill(-run.pid, 'SIGINT');
    await run.waitForStdout(/SIGINT 1/);
    // The launcher handles its signals in order: a forwarded copy of the SIGINT would
    // reach the child before the SIGTERM that ends it.
    run.kill('SIGTERM');
    const res = await run.exited;
    expect(res.stdout).toContain('total 1');
    expect(res.code).toBe(0);
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
