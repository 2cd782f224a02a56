/**
 * One run of a pipeline on the DirectRunner: the handle the caller holds
 * (state, drain, cancel, metrics) and the driver loop.
 *
 * The driver takes a source batch from the inbox and pushes its elements
 * through the fused steps; after maxBundleSize elements (or maxBundleMs, or when
 * an unbounded pipeline has nothing queued) it commits the bundle. Moving
 * watermarks fire windows; side inputs are read first and handed over when
 * complete. Drain stops the sources (their watermarks jump to +∞, firing every
 * window) and commits; cancel stops after the element in flight and acknowledges
 * only what was already committed.
 */
import { log } from '../../../../shared/log.ts';
import { describeError } from '../../../../shared/errors.ts';
import { StepError } from '../../errors.ts';
import type { SourceBatch } from '../../io/source.ts';
import { MetricsRegistry, type MetricsSnapshot } from '../../metrics.ts';
import type { Pipeline } from '../../pipeline.ts';
import { GLOBAL_WINDOW, MIN_TIMESTAMP } from '../../windows.ts';
import type { PipelineResult, PipelineState } from '../runner.ts';
import { AckLedger, type AckScope, type AckToken, NO_TOKENS } from './ack.ts';
import { BoundedQueue } from './bounded-queue.ts';
import { Bundles } from './bundle.ts';
import type { BundleProgress, DirectRunnerOptions } from './direct-runner.ts';
import { type Execution, type ExecutorWith, withHook } from './executor.ts';
import { type ExecutionGraph, translate } from './graph.ts';
import { type InboxItem, pump, type SourceSlot } from './source-pump.ts';

/** Run `fn` when `signal` aborts (now, if it already has); returns the unsubscribe. */
function onAbort(signal: AbortSignal | undefined, fn: () => void): () => void {
  if (signal === undefined) return () => {};
  if (signal.aborted) {
    queueMicrotask(fn);
    return () => {};
  }
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}

export class DirectJob implements PipelineResult, Execution {
  state: PipelineState = 'RUNNING';
  readonly registry = new MetricsRegistry();
  scope: AckScope = NO_TOKENS;
  private readonly maxBundleSize: number;
  private readonly maxBundleMs: number;
  private readonly onBundleCommitted: ((progress: BundleProgress) => void) | undefined;
  private readonly warn: (message: string) => void;
  private readonly graph: ExecutionGraph;
  private readonly setups: ExecutorWith<'setup'>[];
  private readonly teardowns: ExecutorWith<'teardown'>[];
  private readonly ledger = new AckLedger();
  private readonly bundles: Bundles;
  private readonly inbox: BoundedQueue<InboxItem>;
  private readonly abort = new AbortController();
  private readonly hasUnbounded: boolean;
  private cancelled = false;
  private readonly done: Promise<PipelineState>;

  constructor(pipeline: Pipeline, options: DirectRunnerOptions) {
    this.maxBundleSize = options.maxBundleSize ?? 10_000;
    this.maxBundleMs = options.maxBundleMs ?? 1000;
    this.inbox = new BoundedQueue(options.queueCapacity ?? 4);
    this.onBundleCommitted = options.onBundleCommitted;
    this.warn = options.onWarning ?? ((m) => log.warn(m));
    this.graph = translate(pipeline, this);
    this.hasUnbounded = this.graph.sources.some((s) => !s.bounded);
    this.setups = withHook(this.graph.executors, 'setup');
    this.teardowns = withHook(this.graph.executors, 'teardown');
    this.bundles = new Bundles(this.graph.executors, this, this.ledger, this.warn);
    this.registerMetrics();
    this.done = this.execute().then(
      () => {
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
    const unlisten = [
      onAbort(options.drainSignal, () => void this.drain().catch(() => {})),
      onAbort(options.cancelSignal, () => void this.cancel()),
    ];
    this.done
      .finally(() => {
        for (const u of unlisten) u();
      })
      .catch(() => {});
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
    this.bundles.adopt(tokens);
  }

  // --- driver ----------------------------------------------------------------------------------

  private registerMetrics(): void {
    const r = this.registry;
    r.counterFrom('runner', 'bundles', () => this.bundles.committed);
    r.counterFrom('runner', 'batchesAcked', () => this.ledger.acked);
    r.counterFrom('runner', 'ackFailures', () => this.ledger.failures);
    r.counterFrom('runner', 'inFlightBatches', () => this.ledger.inFlight);
    r.counterFrom('runner', 'maxInFlightBatches', () => this.ledger.maxInFlight);
    r.counterFrom('runner', 'queueHighWater', () => this.inbox.highWater);
  }

  private async execute(): Promise<void> {
    for (const ex of this.setups) {
      const r = ex.setup();
      if (r !== undefined) await r;
    }
    const { sources, sideInputs, watermarks } = this.graph;
    const bundles = this.bundles;
    const anyEarly = sideInputs.any;
    const openBundle = () => (bundles.open ? undefined : bundles.start());
    this.startPumps((s) => !anyEarly || s.early);
    while (sources.some((s) => s.live || !s.started)) {
      if (!sources.some((s) => s.live)) {
        // Side-input sources are done; the rest may start.
        await sideInputs.resolve(this, openBundle);
        this.startPumps(() => true);
        continue;
      }
      const item = await this.inbox.take();
      if (item === undefined || this.cancelled) break;
      if (!bundles.open) await bundles.start();
      const slot = item.slot;
      let moved = false;
      if ('batch' in item) moved = await this.processBatch(slot, item.batch, item.token);
      else if ('error' in item) {
        throw new StepError(slot.node.name, item.error);
      } else {
        slot.live = false;
        slot.watermark = Number.POSITIVE_INFINITY;
        moved = true;
      }
      if (moved) await watermarks.advance();
      if (anyEarly) {
        const r = sideInputs.resolve(this, openBundle);
        if (r !== undefined) await r;
        if (sideInputs.allReady) this.startPumps(() => true);
      }
      if (
        bundles.elements >= this.maxBundleSize ||
        (this.hasUnbounded && this.inbox.size === 0) ||
        performance.now() - bundles.startedAt >= this.maxBundleMs
      ) {
        await this.commitBundle();
      }
    }
    if (this.cancelled) {
      await this.teardown();
      return;
    }
    if (!bundles.open) await bundles.start();
    await sideInputs.resolve(this, openBundle);
    await watermarks.advance();
    await this.commitBundle();
    await this.teardown();
  }

  private startPumps(which: (s: SourceSlot) => boolean): void {
    for (const s of this.graph.sources) {
      if (s.started || !which(s)) continue;
      s.started = true;
      s.live = true;
      void pump(s, this.inbox, this.abort.signal, this.ledger);
    }
  }

  private async processBatch(
    slot: SourceSlot,
    batch: SourceBatch<unknown>,
    token: AckToken | undefined,
  ): Promise<boolean> {
    let scope: AckScope = NO_TOKENS;
    if (token !== undefined) {
      scope = [token];
      this.bundles.adopt(scope);
    }
    this.scope = scope;
    const emit = slot.emit;
    const values = batch.values;
    const timestamps = batch.timestamps;
    const fallback = slot.bounded ? MIN_TIMESTAMP : Date.now();
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
    this.bundles.elements += n;
    if (batch.watermark !== undefined && batch.watermark > slot.watermark) {
      slot.watermark = batch.watermark;
      return true;
    }
    return false;
  }

  private async commitBundle(): Promise<void> {
    if (!(await this.bundles.commit()) || this.onBundleCommitted === undefined) return;
    let elementsRead = 0;
    for (const s of this.graph.sources) elementsRead += s.elements;
    this.onBundleCommitted({ elementsRead, bundles: this.bundles.committed });
  }

  private async teardown(): Promise<void> {
    for (const ex of this.teardowns) {
      try {
        await ex.teardown();
      } catch (e) {
        this.warn(`teardown of ${ex.step} failed: ${describeError(e)}`);
      }
    }
  }
}
