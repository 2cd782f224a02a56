/**
 * A worker thread of the arrow engine: scans the tasks the main thread sends,
 * one at a time, and hands back its exact per-group totals when told to finish.
 * Errors travel back as plain data and are re-thrown as typed errors there.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SalesflowError } from '../../shared/errors.ts';
import type { AggregateQuery } from '../query.ts';
import { Scanner, type ScanTask } from './arrow-scan.ts';
import type { WasmModule } from '../../shared/parquet-wasm.ts';

export type ToWorker = { type: 'task'; task: ScanTask } | { type: 'finish' };
export type FromWorker =
  | { type: 'done'; rows: number }
  | { type: 'results'; results: ReturnType<Scanner['results']> }
  | { type: 'error'; message: string; typed: boolean; context: Record<string, unknown> };

const port = parentPort!;
const data = workerData as { queries: AggregateQuery[]; wasmModule: WasmModule };
const scanner = new Scanner(data.queries, data.wasmModule);
const send = (m: FromWorker) => port.postMessage(m);

port.on('message', async (m: ToWorker) => {
  try {
    if (m.type === 'task') send({ type: 'done', rows: await scanner.scan(m.task) });
    else send({ type: 'results', results: scanner.results() });
  } catch (err) {
    const typed = err instanceof SalesflowError;
    send({
      type: 'error',
      message: err instanceof Error ? err.message : String(err),
      typed,
      context: typed ? { ...err.context } : {},
    });
  }
});
