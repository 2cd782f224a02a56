/**
 * Google's Pub/Sub emulator as a child process: started on a free loopback port,
 * ready when it says it listens, stopped with its whole process group. Used by
 * the tests, the stream benchmark and `salesflow demo` (the local stand-in for
 * Pub/Sub, as a folder is for a bucket).
 *
 * The emulator ships with the Google Cloud SDK (`gcloud components install
 * pubsub-emulator`, or Debian's google-cloud-cli-pubsub-emulator). Its own launcher
 * script is started directly when found next to `gcloud` (about 3 s to ready);
 * otherwise `gcloud beta emulators pubsub start` (the same server behind a Python
 * wrapper, 7–15 s).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { SalesflowError } from '../errors.ts';

export interface PubSubEmulatorCommand {
  command: string;
  args(port: number, projectId: string): string[];
  /** How it was found, for messages. */
  via: 'launcher' | 'gcloud';
}

export interface PubSubEmulator {
  /** `127.0.0.1:PORT`, the value for PUBSUB_EMULATOR_HOST. */
  readonly host: string;
  readonly port: number;
  readonly projectId: string;
  readonly pid: number;
  /** Environment to hand to a child process so its clients reach this emulator. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

export interface StartPubSubEmulatorOptions {
  projectId?: string;
  /** Default: a free port. */
  port?: number;
  /** Default 60 s: a loaded 2-core machine has been seen taking 16 s through gcloud. */
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

const LAUNCHER = join('platform', 'pubsub-emulator', 'bin', 'cloud-pubsub-emulator');
const READY = /Server started, listening on (\d+)/;

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Where the emulator is on this machine, or undefined (then `emulatorMissingReason` says what to install). */
export function findPubSubEmulator(env: NodeJS.ProcessEnv = process.env): PubSubEmulatorCommand | undefined {
  const gcloud = onPath('gcloud', env);
  if (!gcloud) return undefined;
  // gcloud is usually a symlink into <sdk>/bin/gcloud; the emulator's launcher sits under <sdk>/platform.
  const sdkRoots = [dirname(dirname(realpathSync(gcloud))), join(dirname(dirname(gcloud)), 'lib', 'google-cloud-sdk')];
  for (const root of sdkRoots) {
    const launcher = join(root, LAUNCHER);
    if (existsSync(launcher)) {
      return { command: launcher, args: (port) => ['--host=127.0.0.1', `--port=${port}`], via: 'launcher' };
    }
  }
  return {
    command: gcloud,
    args: (port, projectId) => [
      'beta',
      'emulators',
      'pubsub',
      'start',
      `--host-port=127.0.0.1:${port}`,
      `--project=${projectId}`,
    ],
    via: 'gcloud',
  };
}

export const EMULATOR_MISSING =
  'the Pub/Sub emulator needs the Google Cloud SDK (`gcloud`) with its pubsub-emulator component and Java 17+ ' +
  '(`gcloud components install pubsub-emulator`, or the google-cloud-cli-pubsub-emulator package)';

/** A port nothing listens on right now (the emulator binds it a moment later; a clash is retried once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

export async function startPubSubEmulator(opts: StartPubSubEmulatorOptions = {}): Promise<PubSubEmulator> {
  const env = opts.env ?? process.env;
  const found = findPubSubEmulator(env);
  if (!found) throw new SalesflowError(`cannot start the Pub/Sub emulator: ${EMULATOR_MISSING}`, { code: 'EMULATOR' });
  const projectId = opts.projectId ?? 'salesflow-local';
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      return await launch(found, port, projectId, env, opts.readyTimeoutMs ?? 60_000);
    } catch (err) {
      const clash = err instanceof SalesflowError && /already in use|BindException/i.test(err.message);
      if (!clash || opts.port !== undefined || attempt >= 2) throw err;
    }
  }
}

function launch(
  found: PubSubEmulatorCommand,
  port: number,
  projectId: string,
  env: NodeJS.ProcessEnv,
  readyTimeoutMs: number,
): Promise<PubSubEmulator> {
  // Its own process group, so stop() reaches the Java server behind any wrapper script.
  const child = spawn(found.command, found.args(port, projectId), {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...env, PUBSUB_EMULATOR_HOST: undefined },
  });
  const exitKill = () => killGroup(child, 'SIGKILL');
  process.once('exit', exitKill);
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    process.removeListener('exit', exitKill);
    if (child.exitCode !== null || child.signalCode !== null) return;
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  return new Promise<PubSubEmulator>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop().then(() =>
        reject(
          new SalesflowError(
            `the Pub/Sub emulator (${found.command}) ${why}\n${output.trim().split('\n').slice(-15).join('\n')}`,
            {
              code: 'EMULATOR',
            },
          ),
        ),
      );
    };
    const timer = setTimeout(() => fail(`was not ready after ${readyTimeoutMs / 1000} s`), readyTimeoutMs);
    const onData = (chunk: Buffer) => {
      // Keep only the tail for error messages: the emulator logs every request.
      output = (output + chunk.toString('utf8')).slice(-20_000);
      if (READY.test(output)) {
        clearTimeout(timer);
        child.stdout?.removeListener('data', onData);
        child.stderr?.removeListener('data', onData);
        // Keep draining its output so a full pipe never blocks it.
        child.stdout?.resume();
        child.stderr?.resume();
        const host = `127.0.0.1:${port}`;
        resolve({
          host,
          port,
          projectId,
          pid: child.pid ?? -1,
          env: { PUBSUB_EMULATOR_HOST: host, PUBSUB_PROJECT_ID: projectId },
          stop,
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (err) => fail(`could not start: ${err.message}`));
    child.once('exit', (code, signal) => {
      if (!READY.test(output)) fail(`exited before it was ready (${signal ?? `exit code ${code}`})`);
    });
  });
}
