/** Run the real `salesflow` binary as a child process (real argv parsing, real exit codes). */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/salesflow.js', import.meta.url));

export interface CliResult {
  code: number | null;
  /** The signal that ended the process, if one did. */
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Node flags for the launcher process, e.g. `--no-experimental-strip-types` to make it re-launch. */
  nodeArgs?: string[];
  /** Its own process group, so a test can signal the group as a terminal does (`process.kill(-pid, …)`). */
  detached?: boolean;
  /** A script standing in for bin/salesflow.js (default: the real one). */
  script?: string;
}

function spawnSalesflow(args: string[], opts: SpawnOptions) {
  return spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.script ?? BIN, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: opts.detached,
  });
}

export function runSalesflow(
  args: string[],
  opts: SpawnOptions & { input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnSalesflow(args, opts);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** A `salesflow` process left running (e.g. `--watch`): read its output as it comes, signal it, await its end. */
export interface RunningSalesflow {
  /** Resolves once stdout matches (checked on every write); rejects after `timeoutMs`. */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** The same for stderr (progress lines, logs). */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Everything written to stdout so far. */
  stdout(): string;
  kill(signal: NodeJS.Signals): void;
  readonly pid: number;
  /** Resolves when the process itself has exited, even if something it started still holds its output open. */
  readonly processExit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly exited: Promise<CliResult>;
}

export function startSalesflow(args: string[], opts: SpawnOptions = {}): RunningSalesflow {
  const child = spawnSalesflow(args, opts);
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (d) => {
    stdout += d;
    for (const w of waiters) w();
  });
  child.stderr.on('data', (d) => {
    stderr += d;
    for (const w of waiters) w();
  });
  const processExit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const w of waiters) w();
      resolve({ code, signal, stdout, stderr });
    });
  });
  const waitFor = (stream: () => string, pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(stream())) done(resolve);
        else if (child.exitCode !== null || child.signalCode !== null) {
          done(() => reject(new Error(`exited before the output matched ${pattern}:\n${stdout}\n${stderr}`)));
        }
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`timed out waiting for ${pattern}:\n${stdout}\n${stderr}`))),
        timeoutMs,
      );
      const done = (then: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        then();
      };
      waiters.add(check);
      check();
    });
  return {
    waitForStdout: (pattern, timeoutMs) => waitFor(() => stdout, pattern, timeoutMs),
    waitForStderr: (pattern, timeoutMs) => waitFor(() => stderr, pattern, timeoutMs),
    stdout: () => stdout,
    kill: (signal) => child.kill(signal),
    pid: child.pid ?? -1,
    processExit,
    exited,
  };
}
