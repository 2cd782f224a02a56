/**
 * DirectRunner: executes a pipeline in this process, bounded or unbounded.
 *
 * - Sources are pumped into one bounded inbox of batches; the driver takes a
 *   batch and pushes its elements through the fused steps (direct calls). An
 *   async step is awaited before the next element, so a slow sink slows the
 *   driver, the inbox fills, and the pumps stop pulling: memory stays bounded by
 *   queueCapacity batches + one bundle + open window state.
 * - Bundles: after maxBundleSize elements (or maxBundleMs, or when an unbounded
 *   pipeline is idle) every step's finishBundle runs (sinks flush), then the
 *   source batches whose outputs are all committed are acknowledged.
 * - Watermarks: per source (from its batches; +∞ when a bounded source ends);
 *   a step's input watermark is the minimum over its upstream sources; group
 *   steps fire windows as it passes their end.
 * - One thread. A worker pool was not worth it: elements would be structured-
 *   cloned to and from workers (~1 µs each), more than the per-element work of
 *   typical steps (parse, validate, key, add: ~0.1 µs); sinks overlap their I/O
 *   on the event loop already, and the second core is left to DuckDB, parquet-wasm
 *   and the other process in a pipeline.
 */
import { log } from '../../../../shared/log.ts';
import { createProgress, type Progress, type ProgressOptions } from '../../../../shared/progress.ts';
import { describeError } from '../../../../shared/errors.ts';
import { PipelineConstructionError, StepError } from '../../errors.ts';
import type { SourceBatch } from '../../io/source.ts';
import { MetricsRegistry, type MetricsSnapshot } from '../../metrics.ts';
import type { Pipeline, TransformNode } from '../../pipeline.ts';
import type { PCollection } from '../../pvalue.ts';
import { GLOBAL_WINDOW, MIN_TIMESTAMP } from '../../windows.ts';
import type { PipelineResult, PipelineState, Runner } from '../runner.ts';
import { type AckScope, AckToken, NO_TOKENS } from './ack.ts';
import { BoundedQueue } from './bounded-queue.ts';
import { type Emitter, type Execution, fanout, isPromise } from './execution.ts';
import { GroupExecutor } from './group-executor.ts';
import { ParDoExecutor } from './pardo-executor.ts';
import { WindowExecutor } from './window-executor.ts';

export interface DirectRunnerOptions {
  /** Elements per bundle before a commit (default 10 000). */
  maxBundleSize?: number;
  /** Commit a bundle at least this often, in ms (default 1000). */
  maxBundleMs?: number;
  /** Source batches read ahead of processing (default 4): the backpressure bound. */
  queueCapacity?: number;
  /** Drain on the first SIGINT/SIGTERM, cancel on the second. Default: when a source is unbounded. */
  drainOnSignals?: boolean;
  /**
   * A progress line (elements read, rate; `total` if known) on stderr when it is a
   * TTY, updated at each bundle commit. Options as shared/progress.ts.
   */
  progress?: Omit<ProgressOptions, 'unit'>;
}

type InboxItem =
  | { index: number; batch: SourceBatch<unknown> }
  | { index: number; end: true }
  | { index: number; error: unknown };

const ABORTED = Symbol('aborted');

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

class FlattenExecutor {
  private out: Emitter = () => undefined;
  connect(_tag: string, emit: Emitter): void {
    this.out = emit;
  }
  readonly receive: Emitter = (v, ts, w) => this.out(v, ts, w);
}

type Executor = ParDoExecutor | GroupExecutor | WindowExecutor | FlattenExecutor;

interface SourceSlot {
  node: TransformNode;
  emit: Emitter;
  watermark: number;
  elements: number;
  started: boolean;
  live: boolean;
  /** Feeds a side input: read first. */
  early: boolean;
}

interface SideInputSlot {
  pcoll: PCollection<unknown>;
  values: unknown[];
  sources: Set<number>;
  consumers: { executor: ParDoExecutor; name: string; materialize: (values: unknown[]) => unknown }[];
  ready: boolean;
}

class DirectJob implements PipelineResult, Execution {
  state: PipelineState = 'RUNNING';
  readonly registry = new MetricsRegistry();
  scope: AckScope = NO_TOKENS;
  private readonly opts: Required<Omit<DirectRunnerOptions, 'drainOnSignals' | 'progress'>>;
  private readonly progress: Progress | undefined;
  private readonly pipeline: Pipeline;
  private readonly executors = new Map<number, Executor>();
  private readonly ordered: Executor[] = [];
  private readonly watermarkSteps: { executor: GroupExecutor | WindowExecutor; sources: number[] }[] = [];
  private readonly sources: SourceSlot[] = [];
  private readonly sideInputs: SideInputSlot[] = [];
  private readonly inbox: BoundedQueue<InboxItem>;
  private readonly abort = new AbortController();
  private readonly hasUnbounded: boolean;
  private bundleTokens: AckToken[] = [];
  private bundleOpen = false;
  private bundleElements = 0;
  private bundleStarted = 0;
  private bundles = 0;
  private inFlightBatches = 0;
  private maxInFlightBatches = 0;
  private acked = 0;
  private ackFailures = 0;
  private cancelled = false;
  private readonly done: Promise<PipelineState>;
  private removeSignalHandlers: () => void = () => {};

  constructor(pipeline: Pipeline, options: DirectRunnerOptions) {
    this.pipeline = pipeline;
    this.opts = {
      maxBundleSize: options.maxBundleSize ?? 10_000,
      maxBundleMs: options.maxBundleMs ?? 1000,
      queueCapacity: options.queueCapacity ?? 4,
    };
    this.inbox = new BoundedQueue(this.opts.queueCapacity);
    this.progress = options.progress && createProgress({ ...options.progress, unit: 'el' });
    this.hasUnbounded = pipeline.nodes.some((n) => n.spec.kind === 'read' && !n.spec.source.bounded);
    this.build();
    if (options.drainOnSignals ?? this.hasUnbounded) this.installSignalHandlers();
    this.done = this.execute().then(
      () => {
        this.progress?.finish();
        this.state = this.cancelled ? 'CANCELLED' : 'DONE';
        return this.state;
      },
      async (err) => {
        this.state = 'FAILED';
        this.abort.abort();
        this.inbox.close();
        await this.teardown();
        throw err;
      },
    );
    this.done.finally(() => this.removeSignalHandlers()).catch(() => {});
  }

  // --- PipelineResult ----------------------------------------------------------------------------

  waitUntilFinish(): Promise<PipelineState> {
    return this.done;
  }

  drain(): Promise<PipelineState> {
    if (this.state === 'RUNNING') {
      this.state = 'DRAINING';
      this.abort.abort();
    }
    return this.done;
  }

  cancel(): Promise<PipelineState> {
    if (this.state === 'RUNNING' || this.state === 'DRAINING') {
      this.cancelled = true;
      this.abort.abort();
      this.inbox.close();
    }
    return this.done.catch(() => this.state);
  }

  metrics(): MetricsSnapshot {
    return this.registry.snapshot();
  }

  counters(): Record<string, number> {
    return this.registry.snapshot().counters;
  }

  // --- Execution -------------------------------------------------------------------------------

  adopt(tokens: Iterable<AckToken>): void {
    for (const t of tokens) this.bundleTokens.push(t);
  }

  // --- graph -----------------------------------------------------------------------------------

  private build(): void {
    const nodes = this.pipeline.nodes;
    if (nodes.length === 0) throw new PipelineConstructionError('the pipeline is empty');
    const upstream = new Map<number, Set<number>>();
    const sourcesOf = (pc: PCollection<unknown>) => upstream.get(pc.producer.id) ?? new Set<number>();
    for (const node of nodes) {
      const spec = node.spec;
      if (spec.kind === 'read') {
        this.sources.push({
          node,
          emit: () => undefined,
          watermark: MIN_TIMESTAMP,
          elements: 0,
          started: false,
          live: false,
          early: false,
        });
        upstream.set(node.id, new Set([this.sources.length - 1]));
        continue;
      }
      const ups = new Set<number>();
      for (const i of node.inputs) for (const s of sourcesOf(i)) ups.add(s);
      upstream.set(node.id, ups);
      let ex: Executor;
      if (spec.kind === 'pardo') ex = new ParDoExecutor(node, this);
      else if (spec.kind === 'group') ex = new GroupExecutor(node, this);
      else if (spec.kind === 'window') ex = new WindowExecutor(node, this);
      else ex = new FlattenExecutor();
      this.executors.set(node.id, ex);
      this.ordered.push(ex);
      if (ex instanceof GroupExecutor || ex instanceof WindowExecutor) {
        this.watermarkSteps.push({ executor: ex, sources: [...ups] });
      }
      if (spec.kind === 'pardo') {
        for (const [name, view] of Object.entries(spec.sideInputs)) {
          let slot = this.sideInputs.find((s) => s.pcoll === view.pcoll);
          if (slot === undefined) {
            if (!view.pcoll.bounded) {
              throw new PipelineConstructionError(`side input ${view.pcoll.name} of ${node.name} must be bounded`, {
                step: node.name,
              });
            }
            slot = { pcoll: view.pcoll, values: [], sources: sourcesOf(view.pcoll), consumers: [], ready: false };
            this.sideInputs.push(slot);
          }
          slot.consumers.push({ executor: ex as ParDoExecutor, name, materialize: (v) => view.materialize(v) });
        }
      }
    }
    for (const s of this.sideInputs) for (const i of s.sources) this.sources[i].early = true;

    // Wire every PCollection to its consumers: executor receivers, plus side-input collectors.
    const consumers = new Map<PCollection<unknown>, Emitter[]>();
    const consumersOf = (pc: PCollection<unknown>) => {
      let list = consumers.get(pc);
      if (list === undefined) {
        list = [];
        consumers.set(pc, list);
      }
      return list;
    };
    for (const node of nodes) {
      const ex = this.executors.get(node.id);
      if (ex !== undefined) for (const i of node.inputs) consumersOf(i).push(ex.receive);
    }
    for (const s of this.sideInputs) {
      consumersOf(s.pcoll).push((v) => {
        s.values.push(v);
      });
    }
    for (const node of nodes) {
      for (const [tag, pc] of node.outputs) {
        const emit = fanout(consumers.get(pc) ?? []);
        if (node.spec.kind === 'read') {
          const slot = this.sources.find((s) => s.node === node) as SourceSlot;
          slot.emit = emit;
          this.registry.counterFrom(node.name, 'elements', () => slot.elements);
        } else this.executors.get(node.id)?.connect(tag, emit);
      }
    }
    this.registry.counterFrom('runner', 'bundles', () => this.bundles);
    this.registry.counterFrom('runner', 'batchesAcked', () => this.acked);
    this.registry.counterFrom('runner', 'ackFailures', () => this.ackFailures);
    this.registry.counterFrom('runner', 'inFlightBatches', () => this.inFlightBatches);
    this.registry.counterFrom('runner', 'maxInFlightBatches', () => this.maxInFlightBatches);
    this.registry.counterFrom('runner', 'queueHighWater', () => this.inbox.highWater);
  }

  // --- driver ----------------------------------------------------------------------------------

  private async execute(): Promise<void> {
    for (const ex of this.ordered) {
      if (ex instanceof ParDoExecutor) {
        const r = ex.setup();
        if (r !== undefined) await r;
      }
    }
    const anyEarly = this.sources.some((s) => s.early);
    this.startPumps((s) => !anyEarly || s.early);
    while (this.sources.some((s) => s.live || !s.started)) {
      if (!this.sources.some((s) => s.live)) {
        // Side-input sources are done; the rest may start.
        await this.resolveSideInputs();
        this.startPumps(() => true);
        continue;
      }
      const item = await this.inbox.take();
      if (item === undefined || this.cancelled) break;
      if (!this.bundleOpen) await this.startBundle();
      const slot = this.sources[item.index];
      let moved = false;
      if ('batch' in item) moved = await this.processBatch(slot, item.batch);
      else if ('error' in item) {
        throw new StepError(slot.node.name, item.error);
      } else {
        slot.live = false;
        slot.watermark = Number.POSITIVE_INFINITY;
        moved = true;
      }
      if (moved) await this.advanceWatermarks();
      if (anyEarly) {
        const r = this.resolveSideInputs();
        if (r !== undefined) await r;
        if (this.sideInputs.every((s) => s.ready)) this.startPumps(() => true);
      }
      if (
        this.bundleElements >= this.opts.maxBundleSize ||
        (this.hasUnbounded && this.inbox.size === 0) ||
        performance.now() - this.bundleStarted >= this.opts.maxBundleMs
      ) {
        await this.commitBundle();
      }
    }
    if (this.cancelled) {
      await this.teardown();
      return;
    }
    if (!this.bundleOpen) await this.startBundle();
    await this.resolveSideInputs();
    await this.advanceWatermarks();
    await this.commitBundle();
    await this.teardown();
  }

  private startPumps(which: (s: SourceSlot) => boolean): void {
    this.sources.forEach((s, index) => {
      if (s.started || !which(s)) return;
      s.started = true;
      s.live = true;
      void this.pump(index);
    });
  }

  /** Read one source into the inbox until it ends, fails, or the job is drained/cancelled. */
  private async pump(index: number): Promise<void> {
    const signal = this.abort.signal;
    const source = this.sources[index].node.spec;
    if (source.kind !== 'read') return;
    let iterator: Iterator<SourceBatch<unknown>> | AsyncIterator<SourceBatch<unknown>> | undefined;
    try {
      const iterable = source.source.read({ signal });
      iterator =
        Symbol.asyncIterator in iterable
          ? (iterable as AsyncIterable<SourceBatch<unknown>>)[Symbol.asyncIterator]()
          : (iterable as Iterable<SourceBatch<unknown>>)[Symbol.iterator]();
      while (!signal.aborted) {
        const next = iterator.next();
        const r = isPromise(next) ? await raceAbort(next, signal) : next;
        if (r === ABORTED || r.done) break;
        if (!(await this.inbox.put({ index, batch: r.value }))) return;
      }
    } catch (error) {
      await this.inbox.put({ index, error });
      return;
    } finally {
      if (signal.aborted) Promise.resolve(iterator?.return?.()).catch(() => {});
    }
    await this.inbox.put({ index, end: true });
  }

  private async processBatch(slot: SourceSlot, batch: SourceBatch<unknown>): Promise<boolean> {
    let scope: AckScope = NO_TOKENS;
    if (batch.ack !== undefined) {
      const token = new AckToken(batch.ack.bind(batch), () => {
        this.inFlightBatches--;
        this.acked++;
      });
      this.inFlightBatches++;
      if (this.inFlightBatches > this.maxInFlightBatches) this.maxInFlightBatches = this.inFlightBatches;
      this.bundleTokens.push(token);
      scope = [token];
    }
    this.scope = scope;
    const emit = slot.emit;
    const values = batch.values;
    const timestamps = batch.timestamps;
    const fallback = slot.node.spec.kind === 'read' && slot.node.spec.source.bounded ? MIN_TIMESTAMP : Date.now();
    const n = values.length;
    if (timestamps !== undefined && timestamps.length !== n) {
      throw new StepError(slot.node.name, new Error(`a batch has ${n} values but ${timestamps.length} timestamps`));
    }
    for (let i = 0; i < n; i++) {
      const r = emit(values[i], timestamps === undefined ? fallback : timestamps[i], GLOBAL_WINDOW);
      if (r !== undefined) {
        await r;
        this.scope = scope;
      }
    }
    slot.elements += n;
    this.bundleElements += n;
    if (batch.watermark !== undefined && batch.watermark > slot.watermark) {
      slot.watermark = batch.watermark;
      return true;
    }
    return false;
  }

  private async advanceWatermarks(): Promise<void> {
    for (const step of this.watermarkSteps) {
      let w = Number.POSITIVE_INFINITY;
      for (const i of step.sources) if (this.sources[i].watermark < w) w = this.sources[i].watermark;
      if (step.executor instanceof WindowExecutor) {
        if (w > step.executor.watermark) step.executor.watermark = w;
        continue;
      }
      this.scope = NO_TOKENS;
      const r = step.executor.advance(w);
      if (r !== undefined) await r;
    }
    this.scope = NO_TOKENS;
  }

  /** Side inputs whose sources all ended (and whose windows fired) are handed to their parDos. */
  private resolveSideInputs(): void | Promise<void> {
    const ready = this.sideInputs.filter(
      (s) => !s.ready && [...s.sources].every((i) => this.sources[i].watermark === Number.POSITIVE_INFINITY),
    );
    if (ready.length === 0) return;
    for (const s of ready) s.ready = true;
    const byExecutor = new Map<ParDoExecutor, Map<string, unknown>>();
    for (const s of this.sideInputs) {
      for (const c of s.consumers) {
        if (!byExecutor.has(c.executor)) byExecutor.set(c.executor, new Map());
      }
    }
    return (async () => {
      for (const [executor, values] of byExecutor) {
        const mine = this.sideInputs.filter((s) => s.consumers.some((c) => c.executor === executor));
        if (!mine.every((s) => s.ready)) continue;
        for (const s of mine) {
          for (const c of s.consumers) {
            if (c.executor !== executor) continue;
            try {
              values.set(c.name, c.materialize(s.values));
            } catch (e) {
              throw new StepError(executor.step, e);
            }
          }
        }
        if (!this.bundleOpen) await this.startBundle();
        const r = executor.provideSideInputs(values);
        if (r !== undefined) await r;
      }
      this.scope = NO_TOKENS;
    })();
  }

  private async startBundle(): Promise<void> {
    this.bundleOpen = true;
    this.bundleElements = 0;
    this.bundleStarted = performance.now();
    for (const ex of this.ordered) {
      if (ex instanceof ParDoExecutor) {
        const r = ex.startBundle();
        if (r !== undefined) await r;
      }
    }
  }

  /** finishBundle everywhere (sinks flush), then acknowledge what is fully committed. */
  private async commitBundle(): Promise<void> {
    if (!this.bundleOpen) return;
    for (const ex of this.ordered) {
      this.scope = NO_TOKENS;
      const r =
        ex instanceof GroupExecutor ? ex.fireLatePanes() : ex instanceof ParDoExecutor ? ex.finishBundle() : undefined;
      if (r !== undefined) await r;
    }
    this.scope = NO_TOKENS;
    this.bundleOpen = false;
    this.bundles++;
    this.progress?.set(this.sources.reduce((n, s) => n + s.elements, 0));
    const tokens = this.bundleTokens;
    this.bundleTokens = [];
    const acks: Promise<void>[] = [];
    for (const t of tokens) {
      try {
        const r = t.release();
        if (r !== undefined) acks.push(r);
      } catch (e) {
        this.ackFailed(e);
      }
    }
    if (acks.length > 0) await Promise.all(acks.map((p) => p.catch((e) => this.ackFailed(e))));
  }

  private ackFailed(e: unknown): void {
    // The data is committed; a lost ack only means the source redelivers it (at-least-once).
    this.ackFailures++;
    log.warn(`ack failed (the source may redeliver): ${describeError(e)}`);
  }

  private async teardown(): Promise<void> {
    for (const ex of this.ordered) {
      if (!(ex instanceof ParDoExecutor)) continue;
      try {
        await ex.teardown();
      } catch (e) {
        log.warn(`teardown of ${ex.step} failed: ${describeError(e)}`);
      }
    }
  }

  private installSignalHandlers(): void {
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      signals++;
      if (signals === 1) {
        log.info(`${sig}: draining (stop reading, finish in-flight work, fire windows, ack); again to cancel`);
        void this.drain().catch(() => {});
      } else {
        log.warn(`${sig}: cancelling`);
        void this.cancel();
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    this.removeSignalHandlers = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
  }
}

export class DirectRunner implements Runner {
  private readonly options: DirectRunnerOptions;

  constructor(options: DirectRunnerOptions = {}) {
    this.options = options;
  }

  /** Start executing; the returned handle's waitUntilFinish() resolves when done. */
  run(pipeline: Pipeline): PipelineResult {
    return new DirectJob(pipeline, this.options);
  }
}
