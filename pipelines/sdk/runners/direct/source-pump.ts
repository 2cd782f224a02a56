/**
 * Source pumps: each source is read by its own loop into the runner's bounded
 * inbox, so a source is never read further ahead than the inbox allows (the
 * backpressure) and a drain or cancel stops the reading, even mid-wait.
 */
import type { SourceBatch, Unacked } from '../../io/source.ts';
import type { TransformNode } from '../../pipeline.ts';
import { MIN_TIMESTAMP } from '../../windows.ts';
import { type AckLedger, type AckToken, UnackedBatches } from './ack.ts';
import type { BoundedQueue } from './bounded-queue.ts';
import { type Emitter, isPromise, noopEmitter } from './executor.ts';

/** One source of the pipeline and what the runner knows about it. */
export class SourceSlot {
  readonly node: TransformNode & { spec: { kind: 'read' } };
  /** Delivers one element to the source's consumers. */
  emit: Emitter = noopEmitter;
  /** No later element will be older than this (epoch ms); +∞ once the source ended. */
  watermark = MIN_TIMESTAMP;
  /** Elements read so far. */
  elements = 0;
  started = false;
  /** Started and not yet ended. */
  live = false;
  /** Feeds a side input: read first. */
  early = false;
  readonly unacked = new UnackedBatches();

  constructor(node: TransformNode) {
    if (node.spec.kind !== 'read') throw new Error(`not a read step: ${node.name}`);
    this.node = node as SourceSlot['node'];
  }

  get bounded(): boolean {
    return this.node.spec.source.bounded;
  }

  /** A snapshot for the source (SourceContext.unacked). */
  unackedNow(): Unacked {
    const u = this.unacked;
    return { batches: u.batches, elements: u.elements, oldestReadAt: u.oldestReadAt };
  }
}

export type InboxItem =
  | { slot: SourceSlot; batch: SourceBatch<unknown>; token: AckToken | undefined }
  | { slot: SourceSlot; end: true }
  | { slot: SourceSlot; error: unknown };

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

/**
 * Read one source into the inbox until it ends, fails, or `signal` aborts; then
 * post its end. A batch with an `ack` is unacknowledged from the moment it is read.
 */
export async function pump(
  slot: SourceSlot,
  inbox: BoundedQueue<InboxItem>,
  signal: AbortSignal,
  ledger: AckLedger,
): Promise<void> {
  let iterator: Iterator<SourceBatch<unknown>> | AsyncIterator<SourceBatch<unknown>> | undefined;
  try {
    const iterable = slot.node.spec.source.read({ signal, unacked: () => slot.unackedNow() });
    iterator =
      Symbol.asyncIterator in iterable
        ? (iterable as AsyncIterable<SourceBatch<unknown>>)[Symbol.asyncIterator]()
        : (iterable as Iterable<SourceBatch<unknown>>)[Symbol.iterator]();
    while (!signal.aborted) {
      const next = iterator.next();
      const r = isPromise(next) ? await raceAbort(next, signal) : next;
      if (r === ABORTED || r.done) break;
      const batch = r.value;
      const token =
        batch.ack === undefined ? undefined : ledger.track(batch.ack.bind(batch), batch.values.length, slot.unacked);
      if (!(await inbox.put({ slot, batch, token }))) return;
    }
  } catch (error) {
    await inbox.put({ slot, error });
    return;
  } finally {
    if (signal.aborted) Promise.resolve(iterator?.return?.()).catch(() => {});
  }
  await inbox.put({ slot, end: true });
}
