/**
 * The executor contract of the DirectRunner: one executor per primitive step
 * (parDo, group, window, flatten), driven through the same lifecycle hooks.
 * Elements travel by direct function calls (fused: no queue between steps); a
 * call returns a promise only when some step on the path is async, and every
 * caller awaits it before sending the next element, so execution is serial and
 * deterministic per pipeline.
 */
import type { MetricsRegistry } from '../../metrics.ts';
import type { BoundedWindow } from '../../windows.ts';
import type { AckScope, AckToken } from './ack.ts';

/** Deliver one element downstream. */
export type Emitter = (value: unknown, timestamp: number, window: BoundedWindow) => void | Promise<void>;

/** What an executor may return from a hook: a promise only when it has async work. */
export type MaybePromise = void | Promise<void>;

/**
 * One running step. Only `process` and `connect` are required; the runner calls
 * each optional hook only on the executors that have it, in graph order:
 * setup once → (startBundle → process… / onWatermark… → finishBundle)* → teardown.
 * Draining needs no hook of its own: the sources end, the watermark jumps to +∞,
 * and `onWatermark` fires every open window before the last bundle commits.
 */
export interface Executor {
  /** The step name, for errors and metrics. */
  readonly step: string;
  /** The step's input: process one element. */
  readonly process: Emitter;
  /** Wire an output tag to its consumers (before the run starts). */
  connect(tag: string, emit: Emitter): void;
  /** Once per run, before any element. */
  setup?(): MaybePromise;
  /** A bundle opens. */
  startBundle?(): MaybePromise;
  /** The input watermark (epoch ms, the minimum over upstream sources) moved forward. */
  onWatermark?(watermark: number): MaybePromise;
  /** The bundle commits: flush everything it produced (sinks write, late panes fire). */
  finishBundle?(): MaybePromise;
  /** Once per run, after the last bundle (also after a failure or cancel). */
  teardown?(): MaybePromise;
}

/** What executors share with the runner. */
export interface Execution {
  readonly registry: MetricsRegistry;
  /** Ack tokens of the data being processed now; keyed state retains them. */
  scope: AckScope;
  /** Hand tokens to the open bundle: released (and maybe acked) when it commits. */
  adopt(tokens: Iterable<AckToken>): void;
}

export const noopEmitter: Emitter = () => undefined;

/** One emitter feeding every consumer in turn (waiting for an async one before the next). */
export function fanout(emitters: Emitter[]): Emitter {
  if (emitters.length === 0) return noopEmitter;
  if (emitters.length === 1) return emitters[0];
  return (v, ts, w) => {
    let pending: Promise<void> | undefined;
    for (const emit of emitters) {
      if (pending === undefined) {
        const r = emit(v, ts, w);
        if (r !== undefined) pending = r;
      } else pending = pending.then(() => emit(v, ts, w));
    }
    return pending;
  };
}

/**
 * Keeps a step's outputs in order when a consumer is async: the first output that
 * returns a promise starts a chain; later outputs wait on it.
 */
export class OutputChain {
  pending: Promise<void> | undefined = undefined;

  push(emit: Emitter, v: unknown, ts: number, w: BoundedWindow): void {
    if (this.pending === undefined) {
      const r = emit(v, ts, w);
      if (r !== undefined) this.pending = r;
    } else this.pending = this.pending.then(() => emit(v, ts, w));
  }

  /** The outstanding chain, cleared (undefined when everything completed synchronously). */
  take(): Promise<void> | undefined {
    const p = this.pending;
    this.pending = undefined;
    return p;
  }
}

export function isPromise(x: unknown): x is Promise<unknown> {
  return x !== undefined && x !== null && typeof (x as Promise<unknown>).then === 'function';
}

type Hook = 'setup' | 'startBundle' | 'onWatermark' | 'finishBundle' | 'teardown';
export type ExecutorWith<K extends Hook> = Executor & Required<Pick<Executor, K>>;

/** The executors that implement `hook`, in their order (resolved once, not per call). */
export function withHook<K extends Hook>(executors: readonly Executor[], hook: K): ExecutorWith<K>[] {
  return executors.filter((e): e is ExecutorWith<K> => typeof e[hook] === 'function');
}
