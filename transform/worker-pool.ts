/**
 * The worker threads of one to-parquet run: hands each chunk to the least busy
 * worker, keeps at most `maxInFlight` chunks queued per worker (so reading never
 * runs ahead of parsing and memory stays bounded), and surfaces worker failures
 * as rejected promises.
 */
import { Worker } from 'node:worker_threads';
import { UsageError } from '../shared/errors.ts';
import type { WorkerInit, WorkerReply } from './convert-worker.ts';
import type { WrittenFile } from './partition-writer.ts';
import { siblingModule } from '../shared/module-url.ts';

/** A worker's report on one chunk (its `chunkDone` reply); `buffer` is handed back for reuse. */
export type ChunkResult = Omit<Extract<WorkerReply, { type: 'chunkDone' }>, 'type'>;

interface Slot {
  worker: Worker;
  inFlight: number;
  finished?: (files: WrittenFile[]) => void;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly maxInFlight: number;
  private readonly onChunk: (r: ChunkResult) => void;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private failed: ((err: Error) => void)[] = [];

  private constructor(maxInFlight: number, onChunk: (r: ChunkResult) => void) {
    this.maxInFlight = maxInFlight;
    this.onChunk = onChunk;
  }

  static async start(
    count: number,
    init: Omit<WorkerInit, 'writerId'>,
    onChunk: (r: ChunkResult) => void,
    maxInFlight = 2,
  ): Promise<WorkerPool> {
    const pool = new WorkerPool(maxInFlight, onChunk);
    const ready: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const worker = new Worker(siblingModule('./convert-worker.ts', import.meta.url));
      const slot: Slot = { worker, inFlight: 0 };
      pool.slots.push(slot);
      ready.push(
        new Promise((resolve) => {
          worker.on('message', (msg: WorkerReply) => {
            if (msg.type === 'ready') resolve();
            else pool.onMessage(slot, msg);
          });
        }),
      );
      worker.on('error', (err) => pool.fail(err));
      worker.on('exit', (code) => {
        if (code !== 0) pool.fail(new Error(`to-parquet worker ${i} exited with code ${code}`));
      });
      worker.postMessage({ type: 'init', options: { ...init, writerId: i } });
    }
    await Promise.race([Promise.all(ready), pool.failurePromise()]);
    return pool;
  }

  /** Send a chunk (transferring its buffer); waits while every worker is busy. */
  async dispatch(seq: number, bytes: Uint8Array): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      let best: Slot | undefined;
      for (const s of this.slots) if (s.inFlight < this.maxInFlight && (!best || s.inFlight < best.inFlight)) best = s;
      if (best) {
        best.inFlight++;
        best.worker.postMessage({ type: 'chunk', seq, bytes }, [bytes.buffer as ArrayBuffer]);
        return;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /** Wait for every chunk, have each worker write its remaining buffers, and return all files. */
  async finish(): Promise<WrittenFile[]> {
    const lists = await Promise.race([
      Promise.all(
        this.slots.map(
          (s) =>
            new Promise<WrittenFile[]>((resolve) => {
              s.finished = resolve;
              s.worker.postMessage({ type: 'finish' });
            }),
        ),
      ),
      this.failurePromise(),
    ]);
    return lists.flat();
  }

  async terminate(): Promise<void> {
    await Promise.all(
      this.slots.map((s) => {
        s.worker.removeAllListeners('exit');
        return s.worker.terminate();
      }),
    );
  }

  private onMessage(slot: Slot, msg: WorkerReply): void {
    if (msg.type === 'chunkDone') {
      slot.inFlight--;
      try {
        this.onChunk(msg);
      } catch (err) {
        this.fail(err as Error);
      }
      this.wakeUp();
    } else if (msg.type === 'finished') {
      slot.finished?.(msg.files);
    } else if (msg.type === 'error') {
      const err = msg.usage ? new UsageError(msg.message) : new Error(msg.message);
      err.stack = msg.stack;
      this.fail(err);
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const f of this.failed.splice(0)) f(this.failure);
    this.wakeUp();
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private failurePromise(): Promise<never> {
    return new Promise((_, reject) => {
      if (this.failure) reject(this.failure);
      else this.failed.push(reject);
    });
  }
}
