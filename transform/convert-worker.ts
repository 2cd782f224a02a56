/**
 * Worker thread of to-parquet: parses + validates the line-aligned chunks the
 * main thread sends, buffers rows per partition and encodes Parquet files.
 * Protocol (all messages are plain objects):
 *   in:  init {options} · chunk {seq, bytes} · finish
 *   out: ready · chunkDone {seq, lines, rows, rejects[]} · finished {files[]} · error {message, stack}
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { wasmMemory } from 'parquet-wasm';
import { UsageError } from '../shared/errors.ts';
import { PartitionWriter, type PartitionWriterOptions } from './partition-writer.ts';
import { ChunkParser, type InputFormat } from './row-parser.ts';

export interface WorkerInit extends PartitionWriterOptions {
  format: InputFormat;
  /** Test hook: throw after this many chunks (simulates a crash mid-run). */
  failAfterChunks?: number;
}

export interface ChunkReject {
  /** 0-based line within the chunk. */
  line: number;
  raw: string;
  reason: string;
}

export type WorkerRequest =
  | { type: 'init'; options: WorkerInit }
  | { type: 'chunk'; seq: number; bytes: Uint8Array }
  | { type: 'finish' };

export type WorkerReply =
  | { type: 'ready' }
  | {
      type: 'chunkDone';
      seq: number;
      lines: number;
      rows: number;
      rejects: ChunkReject[];
      /** Partition folders this worker saw first in this chunk. */
      newPartitions: string[];
      buffer: ArrayBuffer;
    }
  | { type: 'finished'; files: PartitionWriter['files'] }
  | { type: 'error'; message: string; stack?: string; usage?: boolean };

/**
 * Each flush leaves an IPC copy and the Parquet bytes (several MB) as garbage outside the JS
 * heap; V8 lets tens of MB of that pile up per worker before collecting, which was most of
 * the peak RSS past the budget. A full GC of this small heap after a flush costs a few ms.
 * (`--expose-gc` set at run time, a common Node idiom: worker execArgv cannot take V8 flags.)
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const port = parentPort;
if (port === null) throw new Error('convert-worker.ts must run in a worker thread');

let parser: ChunkParser | undefined;
let writer: PartitionWriter | undefined;
let init: WorkerInit | undefined;
let chunksDone = 0;
const timing = { parse: 0, encode: 0 };

port.on('message', (msg: WorkerRequest) => {
  try {
    handle(msg);
  } catch (err) {
    const e = err as Error;
    port.postMessage({
      type: 'error',
      message: e.message ?? String(err),
      stack: e.stack,
      // A refusal of what the user asked for (e.g. too many partitions) stays one across the thread.
      ...(err instanceof UsageError ? { usage: true } : {}),
    } satisfies WorkerReply);
  }
});

function handle(msg: WorkerRequest): void {
  switch (msg.type) {
    case 'init':
      init = msg.options;
      parser = new ChunkParser(init.domains, init.format);
      writer = new PartitionWriter(init);
      writer.afterFlush = collectGarbage;
      port!.postMessage({ type: 'ready' } satisfies WorkerReply);
      return;
    case 'chunk': {
      if (!parser || !writer || !init) throw new Error('chunk before init');
      if (init.failAfterChunks !== undefined && chunksDone >= init.failAfterChunks) {
        throw new Error('injected failure (failAfterChunks test hook)');
      }
      const t0 = performance.now();
      const stats = parser.parse(msg.bytes, writer);
      const rejects: ChunkReject[] = writer.rejects;
      writer.rejects = [];
      const newPartitions = writer.newPartitions;
      writer.newPartitions = [];
      const t1 = performance.now();
      writer.flushIfNeeded();
      timing.parse += t1 - t0;
      timing.encode += performance.now() - t1;
      chunksDone++;
      const buffer = msg.bytes.buffer as ArrayBuffer;
      const done: WorkerReply = {
        type: 'chunkDone',
        seq: msg.seq,
        lines: stats.lines,
        rows: stats.rows,
        rejects,
        newPartitions,
        buffer,
      };
      port!.postMessage(done, [buffer]);
      return;
    }
    case 'finish':
      if (!writer) throw new Error('finish before init');
      writer.flushAll();
      // SALESFLOW_PROFILE=1: where a worker's time and memory went (for tuning, on stderr).
      if (process.env.SALESFLOW_PROFILE) {
        const mu = process.memoryUsage();
        const mb = (n: number) => Math.round(n / 1048576);
        process.stderr.write(
          `to-parquet worker ${init?.writerId}: parse ${Math.round(timing.parse)} ms, encode ${Math.round(timing.encode)} ms; ` +
            `heap ${mb(mu.heapTotal)} MB, external ${mb(mu.external)} MB, wasm ${mb(wasmMemory().buffer.byteLength)} MB\n`,
        );
      }
      port!.postMessage({ type: 'finished', files: writer.files } satisfies WorkerReply);
      return;
  }
}
