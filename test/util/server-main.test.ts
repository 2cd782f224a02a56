/**
 * The test servers' command-line entry points, as benchmarks and people run
 * them: `--port 0` takes a free port, and the `export VAR=…` line each prints
 * once it listens names where it is (what bench/util/peer-process.ts waits
 * for and reads).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';

const running: ChildProcess[] = [];

afterEach(async () => {
  for (const child of running.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0); // SIGTERM stops it cleanly
  }
});

/** Start `test/util/<server>/main.ts` with `args`; its `export` line's variables once it prints it. */
function start(server: string, args: string[]): Promise<Record<string, string>> {
  const child = spawn(process.execPath, [new URL(`./${server}/main.ts`, import.meta.url).pathname, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.stdout?.on('data', (d) => {
      out += d;
      const line = /^ {2}export ((?:[A-Z_]+=\S+ ?)+)$/m.exec(out);
      if (line)
        resolve(
          Object.fromEntries(
            line[1]
              .trim()
              .split(' ')
              .map((w) => w.split(/=(.*)/s).slice(0, 2)),
          ),
        );
    });
    child.once('exit', (code) => reject(new Error(`${server} exited (${code}) before its export line:\n${out}${err}`)));
  });
}

describe('test servers as processes', () => {
  it('gcs-server --port 0: the export line names the URL it serves on', async () => {
    const env = await start('gcs-server', ['--port', '0', '--bucket', 'made-at-start']);
    expect(Object.keys(env)).toEqual(['STORAGE_EMULATOR_HOST']);
    expect(env.STORAGE_EMULATOR_HOST).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    const res = await fetch(`${env.STORAGE_EMULATOR_HOST}/storage/v1/b/made-at-start`);
    expect(((await res.json()) as { name: string }).name).toBe('made-at-start');
  });

  it('bigquery-server --port 0: the export line names the URL and project it serves', async () => {
    const env = await start('bigquery-server', ['--port', '0', '--project', 'p1']);
    expect(env).toMatchObject({ GOOGLE_CLOUD_PROJECT: 'p1' });
    expect(env.BIGQUERY_EMULATOR_HOST).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    const datasets = await fetch(`${env.BIGQUERY_EMULATOR_HOST}/bigquery/v2/projects/p1/datasets`);
    expect(datasets.status).toBe(200);
  });

  it('bigquery-storage-server --port 0 --bigquery-port 0: both endpoints, the REST one with its stats', async () => {
    const env = await start('bigquery-storage-server', ['--port', '0', '--bigquery-port', '0', '--project', 'p0']);
    expect(env).toMatchObject({ GOOGLE_CLOUD_PROJECT: 'p0' });
    expect(env.BIGQUERY_STORAGE_EMULATOR_HOST).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    const stats = await fetch(`${env.BIGQUERY_EMULATOR_HOST}/_test/stats`);
    expect(await stats.json()).toEqual({ transactions: { aborted: 0 } });
    const datasets = await fetch(`${env.BIGQUERY_EMULATOR_HOST}/bigquery/v2/projects/p0/datasets`);
    expect(datasets.status).toBe(200);
  });
});
