/**
 * Where blocks get rendered: on worker threads (the default, one per core) or
 * on the calling thread (--workers 0). Both answer `render(unit, buffer)` with a
 * promise; the pool keeps each worker's requests in FIFO order.
 */
import { Worker } from 'node:worker_threads';
import { SalesflowError } from '../shared/errors.ts';
import { BlockGenerator } from './block-generator.ts';
import type { ResolvedGenOptions } from './options.ts';
import type { WorkUnit } from './plan.ts';
import type { RenderReply, RenderRequest } from './worker.ts';
import { siblingModule } from '../shared/module-url.ts';

export interface Rendered {
  buffer: ArrayBuffer;
  length: number;
}

export interface BlockRenderer {
  readonly lanes: number;
  /** Render on lane `lane` (0 ≤ lane < lanes); `buffer` is transferred away if given. */
  render(lane: number, unit: WorkUnit, buffer?: ArrayBuffer): Promise<Rendered>;
  close(): Promise<void>;
}

/** Renders synchronously on this thread (still async-shaped, so callers need one code path). */
export function inProcessRenderer(o: ResolvedGenOptions): BlockRenderer {
  const gen = new BlockGenerator(o);
  return {
    lanes: 1,
    async render(_lane, unit, buffer) {
      return gen.renderInto(unit, buffer);
    },
    async close() {},
  };
}

interface Waiter {
  index: number;
  resolve: (r: Rendered) => void;
  reject: (e: Error) => void;
}

export function workerRenderer(o: ResolvedGenOptions, count: number): BlockRenderer {
  const workers: Worker[] = [];
  const queues: Waiter[][] = [];
  let failure: Error | undefined;
  const failAll = (err: Error) => {
    failure ??= err;
    for (const q of queues) for (const w of q.splice(0)) w.reject(failure);
  };
  for (let i = 0; i < count; i++) {
    const worker = new Worker(siblingModule('./worker.ts', import.meta.url), { workerData: o });
    const queue: Waiter[] = [];
    worker.on('message', (reply: RenderReply) => {
      const waiter = queue.shift();
      if (waiter === undefined || waiter.index !== reply.index) {
        failAll(new SalesflowError(`generator worker ${i} answered out of order`, { context: { step: 'gen' } }));
        return;
      }
      if (reply.ok) waiter.resolve({ buffer: reply.buffer, length: reply.length });
      else {
        const err = new SalesflowError(`generator worker ${i} failed: ${reply.message}`, { context: { step: 'gen' } });
        err.stack = reply.stack;
        waiter.reject(err);
      }
    });
    worker.on('error', (err) => failAll(err));
    worker.on('exit', (code) => {
      if (queue.length > 0)
        failAll(new SalesflowError(`generator worker ${i} exited (code ${code})`, { context: { step: 'gen' } }));
    });
    workers.push(worker);
    queues.push(queue);
  }
  return {
    lanes: count,
    render(lane, unit, buffer) {
      if (failure) return Promise.reject(failure);
      return new Promise<Rendered>((resolve, reject) => {
        queues[lane].push({ index: unit.index, resolve, reject });
        const req: RenderRequest = { unit, buffer };
        workers[lane].postMessage(req, buffer ? [buffer] : []);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
