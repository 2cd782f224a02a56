/**
 * Worker side of mapInWorkers: loads the user's module once, then maps each
 * batch it is sent with the named export and posts the results back.
 */
import { parentPort, workerData } from 'node:worker_threads';

interface Job {
  id: number;
  values: unknown[];
}

const { moduleUrl, exportName } = workerData as { moduleUrl: string; exportName: string };
const port = parentPort;
if (port === null) throw new Error('map-worker.ts must run in a worker thread');

try {
  const mod = (await import(moduleUrl)) as Record<string, unknown>;
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw new Error(`${moduleUrl} has no function export "${exportName}"`);
  port.on('message', (job: Job) => {
    const out = new Array(job.values.length);
    let i = 0;
    try {
      for (; i < job.values.length; i++) out[i] = fn(job.values[i]);
      port.postMessage({ id: job.id, out });
    } catch (e) {
      port.postMessage({ id: job.id, failedAt: i, error: e instanceof Error ? e.message : String(e) });
    }
  });
  port.postMessage({ ready: true });
} catch (e) {
  port.postMessage({ fatal: e instanceof Error ? e.message : String(e) });
}
