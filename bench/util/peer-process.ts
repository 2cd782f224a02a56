/**
 * The test peers (GCS, BigQuery REST, Storage Write servers) as benchmarks run
 * them: separate processes started through their command-line entry points, as
 * the Pub/Sub emulator is. A bench never imports test code; it runs
 * `test/util/<server>/main.ts` with `--port 0`, reads the `export VAR=…` line
 * each server prints once it listens (the variables that point a client at
 * it), and stops it with SIGTERM.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { NODE, REPO_ROOT } from './measure.ts';

export type PeerName = 'gcs-server' | 'bigquery-server' | 'bigquery-storage-server';

export interface PeerProcess {
  /** What its `export` line sets, e.g. `{ STORAGE_EMULATOR_HOST: 'http://127.0.0.1:40123' }`. */
  readonly env: Readonly<Record<string, string>>;
  readonly pid: number;
  /** SIGTERM, then wait for it to exit (SIGKILL if it has not within 10 s). */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** `  export A=x B=y` → `{ A: 'x', B: 'y' }`; undefined for any other line. */
export function parseExportLine(line: string): Record<string, string> | undefined {
  const m = /^\s*export\s+(.+)$/.exec(line);
  if (!m) return undefined;
  const env: Record<string, string> = {};
  for (const word of m[1].trim().split(/\s+/)) {
    const eq = word.indexOf('=');
    if (eq <= 0) return undefined;
    env[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return env;
}

/**
 * Start `test/util/<name>/main.ts` with `--port 0` and `args`; resolves once it
 * listens. The peer is killed when this process exits, however it exits.
 */
export function startPeer(name: PeerName, args: readonly string[] = []): Promise<PeerProcess> {
  // A path to a program, not a module specifier: the bench runs the peer, never loads it.
  const main = join(REPO_ROOT, 'test', 'util', name, 'main.ts');
  const child = spawn(NODE, [main, '--port', '0', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    process.removeListener('exit', kill);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(kill, STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  return new Promise<PeerProcess>((resolve, reject) => {
    let output = '';
    let pending = '';
    let ready = false;
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`${name} ${why}\n${output.trim().split('\n').slice(-15).join('\n')}`)));
    };
    const timer = setTimeout(() => fail(`was not listening after ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    const onStdout = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-20_000);
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const env = parseExportLine(line);
        if (!env || ready) continue;
        ready = true;
        clearTimeout(timer);
        child.stdout?.removeListener('data', onStdout);
        child.stdout?.resume();
        resolve({ env, pid: child.pid ?? -1, stop });
      }
    };
    child.stdout?.on('data', onStdout);
    // Its errors and logs are the bench's to see; before it listens they also explain a failed start.
    child.stderr?.on('data', (chunk: Buffer) => {
      if (ready) process.stderr.write(chunk);
      else output = (output + chunk.toString('utf8')).slice(-20_000);
    });
    child.once('error', (err) => fail(`could not start: ${err.message}`));
    child.once('exit', (code, signal) => {
      if (!ready) fail(`exited before it listened (${signal ?? `exit code ${code}`})`);
    });
  });
}
