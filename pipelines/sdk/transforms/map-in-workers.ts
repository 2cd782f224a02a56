/**
 * mapInWorkers: a map whose function runs in worker threads, for CPU-heavy
 * element functions (tens of µs per element or more). Elements cross to the
 * workers by structured clone (~5 µs per sales record measured), so a cheap
 * function is *slower* this way: use plain map for those.
 *
 * The function is a named export of a module (workers cannot receive closures);
 * it must be pure and synchronous. Batches go round-robin to the workers with at
 * most two in flight per worker (process() waits: backpressure); results keep
 * input order, each with its element's timestamp and window.
 */
import { Worker } from 'node:worker_threads';
import type { PTransformClass } from '../pipeline.ts';
import type { PCollection } from '../pvalue.ts';
import type { BoundedWindow } from '../windows.ts';
import { previewElement } from '../errors.ts';
import { type DoFnContext, parDo } from './pardo.ts';
import { siblingModule } from '../../../shared/module-url.ts';

export interface MapInWorkersOptions {
  /** Export name of the function in the module (default "default"). */
  exportName?: string;
  /** Worker threads (default 2). */
  workers?: number;
  /** Elements per message to a worker (default 512). */
  batchSize?: number;
  name?: string;
}

interface Pending {
  values: unknown[];
  timestamps: number[];
  windows: BoundedWindow[];
  result: Promise<unknown[]>;
}

interface Reply {
  id?: number;
  out?: unknown[];
  failedAt?: number;
  error?: string;
  ready?: boolean;
  fatal?: string;
}

class WorkerHandle {
  private readonly worker: Worker;
  private readonly waiting = new Map<
    number,
    { resolve: (out: unknown[]) => void; reject: (e: Error) => void; values: unknown[] }
  >();
  private nextId = 0;
  readonly ready: Promise<void>;
  private failure: Error | undefined;

  constructor(moduleUrl: string, exportName: string) {
    this.worker = new Worker(siblingModule('./map-worker.ts', import.meta.url), {
      workerData: { moduleUrl, exportName },
    });
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (m: Reply) => {
        if (m.ready) return resolve();
        if (m.fatal !== undefined) return reject(new Error(m.fatal));
        const w = this.waiting.get(m.id as number);
        if (w === undefined) return;
        this.waiting.delete(m.id as number);
        if (m.out !== undefined) w.resolve(m.out);
        else w.reject(Object.assign(new Error(m.error), { element: w.values[m.failedAt ?? 0] }));
      });
      this.worker.on('error', (e) => {
        this.failure = e;
        reject(e);
        for (const w of this.waiting.values()) w.reject(e);
        this.waiting.clear();
      });
    });
  }

  map(values: unknown[]): Promise<unknown[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, values });
      this.worker.postMessage({ id, values });
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

export function mapInWorkers<I, O>(
  module: URL | string,
  options: MapInWorkersOptions = {},
): PTransformClass<PCollection<I>, PCollection<O>> {
  const moduleUrl = module instanceof URL ? module.href : module;
  const exportName = options.exportName ?? 'default';
  const workerCount = options.workers ?? 2;
  const batchSize = options.batchSize ?? 512;
  let workers: WorkerHandle[] = [];
  let turn = 0;
  let buffer: Omit<Pending, 'result'> = { values: [], timestamps: [], windows: [] };
  const inFlight: Pending[] = [];

  const dispatch = () => {
    if (buffer.values.length === 0) return;
    const w = workers[turn++ % workers.length];
    inFlight.push({ ...buffer, result: w.map(buffer.values) });
    buffer = { values: [], timestamps: [], windows: [] };
  };
  const emitOldest = async (ctx: DoFnContext<O>) => {
    const p = inFlight.shift() as Pending;
    let out: unknown[];
    try {
      out = await p.result;
    } catch (e) {
      // Name the element that failed (the error carries it from the worker).
      const element = (e as { element?: unknown }).element;
      throw Object.assign(new Error(`${(e as Error).message} (element ${previewElement(element)})`), {
        cause: e,
      });
    }
    for (let i = 0; i < out.length; i++) ctx.outputWithTimestamp(out[i] as O, p.timestamps[i], p.windows[i]);
  };

  return parDo<I, O>(
    {
      name: 'MapInWorkers',
      async setup() {
        workers = Array.from({ length: workerCount }, () => new WorkerHandle(moduleUrl, exportName));
        turn = 0;
        await Promise.all(workers.map((w) => w.ready));
      },
      process(element, ctx) {
        buffer.values.push(element);
        buffer.timestamps.push(ctx.timestamp);
        buffer.windows.push(ctx.window);
        if (buffer.values.length < batchSize) return;
        dispatch();
        if (inFlight.length > 2 * workers.length) return emitOldest(ctx);
      },
      async finishBundle(ctx) {
        dispatch();
        while (inFlight.length > 0) await emitOldest(ctx);
      },
      async teardown() {
        inFlight.length = 0;
        buffer = { values: [], timestamps: [], windows: [] };
        await Promise.all(workers.map((w) => w.terminate()));
        workers = [];
      },
    },
    { name: options.name ?? `MapInWorkers(${exportName})` },
  );
}
