/**
 * What the DirectRunner's step executors share. Elements travel by direct
 * function calls (fused: no queue between steps); a call returns a promise only
 * when some step on the path is async, and every caller awaits it before sending
 * the next element, so execution is serial and deterministic per pipeline.
 */
import type { MetricsRegistry } from '../../metrics.ts';
import type { BoundedWindow } from '../../windows.ts';
import type { AckScope, AckToken } from './ack.ts';

/** Deliver one element downstream. */
export type Emitter = (value: unknown, timestamp: number, window: BoundedWindow) => void | Promise<void>;

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
