/**
 * Worker thread entry: builds the model once from the options in workerData,
 * then renders each work unit it is sent into the buffer that came with it (or a
 * new one) and transfers the buffer back — no copies between threads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BlockGenerator } from './block-generator.ts';
import type { ResolvedGenOptions } from './options.ts';
import type { WorkUnit } from './plan.ts';

export interface RenderRequest {
  unit: WorkUnit;
  buffer?: ArrayBuffer;
}

export type RenderReply =
  | { ok: true; index: number; buffer: ArrayBuffer; length: number }
  | { ok: false; index: number; message: string; stack?: string };

const port = parentPort;
if (port === null) throw new Error('generator/worker.ts must run in a worker thread');
const generator = new BlockGenerator(workerData as ResolvedGenOptions);

port.on('message', (req: RenderRequest) => {
  try {
    const { buffer, length } = generator.renderInto(req.unit, req.buffer);
    const reply: RenderReply = { ok: true, index: req.unit.index, buffer, length };
    port.postMessage(reply, [buffer]);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const reply: RenderReply = { ok: false, index: req.unit.index, message: e.message, stack: e.stack };
    port.postMessage(reply);
  }
});
