/**
 * generateSales: the whole `salesflow gen` job as a library call. Work units go
 * out to the renderers (worker threads) a bounded window ahead of the writer;
 * rendered blocks come back as transferred buffers and are written strictly in
 * unit order to a temporary sibling, which is renamed into place only when the
 * last byte is written. Memory stays at about `window` blocks (a few MB each)
 * whatever the row count; buffers are recycled.
 */
import { open } from 'node:fs/promises';
import { type AtomicTarget, prepareAtomicOutput } from '../shared/atomic.ts';
import { SalesflowError, writeFailure } from '../shared/errors.ts';
import { stopOnInterrupt } from '../shared/cleanup.ts';
import { refuseOverlap } from '../shared/overlap.ts';
import { CSV_HEADER } from '../shared/schema/columns.ts';
import { writeDimensions, type DimensionFiles, dimensionPaths } from './dimensions.ts';
import { type GenOptions, type ResolvedGenOptions, resolveGenOptions } from './options.ts';
import { batchCount, planUnits } from './plan.ts';
import { type BlockRenderer, inProcessRenderer, type Rendered, workerRenderer } from './renderers.ts';

/** Units in flight per worker: one being rendered, one queued, one waiting to be written. */
const IN_FLIGHT_PER_LANE = 3;

export interface GenProgress {
  rows: number;
  bytes: number;
  totalRows: number;
}

export interface GenHooks {
  /** Called after each written block. */
  onProgress?: (p: GenProgress) => void;
  /** Abort: the temporary output is removed and the promise rejects. */
  signal?: AbortSignal;
}

export interface GenSummary {
  out: string;
  format: ResolvedGenOptions['format'];
  rows: number;
  bytes: number;
  batches: number;
  workers: number;
  seed: number;
  seconds: number;
  rowsPerSecond: number;
  dimensions?: DimensionFiles;
}

export async function generateSales(options: GenOptions = {}, hooks: GenHooks = {}): Promise<GenSummary> {
  const o = resolveGenOptions(options);
  const start = performance.now();
  const paths = o.dimensions ? dimensionPaths(o.out) : undefined;
  refuseOverlap({
    outputs: [
      { path: o.out, role: 'output' },
      ...(paths ? [paths.customers, paths.products].map((path) => ({ path, role: 'dimension file' })) : []),
    ],
    inputs: options.domainsFile ? [{ path: options.domainsFile, role: '--domains file' }] : [],
  });
  // Claim every output before any work, so a refusal costs nothing.
  const target = await prepareAtomicOutput(o.out, { force: o.force, what: 'output' }).catch((err: unknown) => {
    throw writeFailure(err, o.out);
  });
  const dimTargets: AtomicTarget[] = [];
  try {
    if (paths) {
      dimTargets.push(await prepareAtomicOutput(paths.customers, { force: o.force, what: 'dimension file' }));
      dimTargets.push(await prepareAtomicOutput(paths.products, { force: o.force, what: 'dimension file' }));
    }
    const bytes = await writeFacts(o, target.tmpPath, hooks);
    if (o.dimensions) await writeDimensions(o, dimTargets[0].tmpPath, dimTargets[1].tmpPath);
    checkAborted(hooks.signal, o.out);
    await target.commit();
    for (const t of dimTargets) await t.commit();
    const seconds = (performance.now() - start) / 1000;
    return {
      out: o.out,
      format: o.format,
      rows: o.rows,
      bytes,
      batches: batchCount(o.rows, o.batchSize),
      workers: o.workers,
      seed: o.seed,
      seconds,
      rowsPerSecond: seconds > 0 ? o.rows / seconds : 0,
      dimensions: paths,
    };
  } catch (err) {
    // Cleaning up must not hide why the run failed (e.g. rm of a temp name the file system refused to create).
    for (const t of [target, ...dimTargets]) await t.abort().catch(() => {});
    throw writeFailure(err, o.out);
  }
}

/** Render and write all fact rows to `path`; returns the bytes written. */
async function writeFacts(o: ResolvedGenOptions, path: string, hooks: GenHooks): Promise<number> {
  // The file first: if it cannot be created, no worker thread has been started to keep the process alive.
  const file = await open(path, 'wx');
  const pending: Promise<Rendered>[] = [];
  const pendingRows: number[] = [];
  let renderer: BlockRenderer | undefined;
  let forgetRenderer: (() => void) | undefined;
  try {
    const lanes = o.workers === 0 ? inProcessRenderer(o) : workerRenderer(o, o.workers);
    renderer = lanes;
    forgetRenderer = stopOnInterrupt(() => lanes.close());
    const header = o.format === 'csv' ? Buffer.from(`${CSV_HEADER}\n`) : undefined;
    let bytes = 0;
    if (header) {
      await file.write(header);
      bytes += header.length;
    }
    const units = planUnits(o.rows, o.batchSize);
    const window = lanes.lanes * IN_FLIGHT_PER_LANE;
    const free: ArrayBuffer[] = [];
    let dispatched = 0;
    let rows = 0;
    let exhausted = false;
    const fill = () => {
      while (!exhausted && pending.length < window) {
        const next = units.next();
        if (next.done) {
          exhausted = true;
          return;
        }
        // Round-robin keeps every lane equally loaded (units are equal-sized) and in FIFO order.
        const p = lanes.render(dispatched++ % lanes.lanes, next.value, free.pop());
        p.catch(() => {}); // awaited in order below; this only silences early rejections
        pending.push(p);
        pendingRows.push(next.value.rows);
      }
    };
    fill();
    while (pending.length > 0) {
      checkAborted(hooks.signal, o.out);
      const block = await pending.shift()!;
      const view = new Uint8Array(block.buffer, 0, block.length);
      let off = 0;
      while (off < view.length) off += (await file.write(view, off, view.length - off)).bytesWritten;
      bytes += block.length;
      rows += pendingRows.shift()!;
      free.push(block.buffer);
      fill();
      hooks.onProgress?.({ rows, bytes, totalRows: o.rows });
    }
    // No fsync: the rename guards against interrupted runs, not power loss, and
    // flushing 500 MB to disk would dominate the run time.
    return bytes;
  } finally {
    await file.close();
    await renderer?.close();
    forgetRenderer?.();
  }
}

function checkAborted(signal: AbortSignal | undefined, out: string): void {
  if (signal?.aborted) {
    throw new SalesflowError('generation aborted; no output written', {
      context: { file: out, step: 'gen' },
      cause: signal.reason,
    });
  }
}
