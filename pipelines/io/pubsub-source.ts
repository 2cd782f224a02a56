/**
 * A Pub/Sub subscription as the SDK's unbounded Source: messages collected into
 * micro-batches, one SourceBatch each, acknowledged together when the runner
 * acks the batch (after every sink committed it).
 *
 * A micro-batch closes at the first of: `maxBatch` messages; `commitIntervalMs`
 * after its first message; or, when the pipeline has nothing in flight (every
 * batch yielded so far is acked), `lingerMs` after its first message. The last
 * rule makes the cadence adaptive: an idle pipeline commits within tens of
 * milliseconds (low latency), a busy one gathers what arrives while it commits
 * (bigger batches, fewer commits), and the interval caps the wait either way.
 *
 * Event time comes from a timestamp attribute (RFC 3339, e.g. `event_time`), or
 * the publish time. The watermark trails the newest event time seen by
 * `maxDelayMs` (an event time past its publish time counts as the publish time,
 * so a bad clock cannot race the watermark ahead); while the subscription is
 * idle, heartbeat batches carry the watermark forward with the clock so
 * windows still fire.
 *
 * Flow control: acks are held for a micro-batch or two, so the client's
 * `maxMessages` is a few batches and `allowExcessMessages` is off — memory stays
 * bounded whatever the backlog. The client's lease manager extends ack
 * deadlines of what it holds (up to `maxExtensionTime`, 60 min by default).
 * Redeliveries of a held message are folded into it (acked together).
 *
 * Messages never acked (a failed or cancelled run, or a drain before they were
 * handed over) are nacked by close(), so Pub/Sub redelivers them at once; that
 * counts as a delivery attempt for a dead-letter policy.
 */
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { fromPubSubError } from '../../shared/pubsub/errors.ts';
import type { SourceBatch, SourceContext } from '../sdk/io/source.ts';
import { type Source, unboundedSource } from '../sdk/io/source.ts';
import { parseIsoDate } from '../../shared/dates.ts';

/** Most messages per micro-batch unless told otherwise (`--max-batch`). */
export const DEFAULT_MAX_BATCH = 5000;

/** The client's flow control for micro-batches of `maxBatch`: a few batches held, never more. */
export function batchFlowControl(maxBatch: number): { maxMessages: number; allowExcessMessages: false } {
  return { maxMessages: 3 * maxBatch, allowExcessMessages: false };
}

export interface PubSubMessageValue {
  id: string;
  data: Buffer;
  attributes: Readonly<Record<string, string>>;
  /** Epoch ms. */
  publishTime: number;
  /** Set when the subscription has a dead-letter policy. */
  deliveryAttempt?: number;
}

export interface PubSubSourceOptions {
  client: PubSub;
  /** `projects/P/subscriptions/S`. */
  subscription: string;
  /** Attribute holding the event time (RFC 3339); default: the publish time is the event time. */
  timestampAttribute?: string;
  /** Longest a message waits before its batch is handed over (default 2000). */
  commitIntervalMs?: number;
  /** Most messages per batch (default DEFAULT_MAX_BATCH). */
  maxBatch?: number;
  /** How long an idle pipeline's batch gathers messages first (default 50 ms). */
  lingerMs?: number;
  /** Watermark lag behind the newest event time (default 5000 ms). */
  maxDelayMs?: number;
  /** Stop after this many messages (the rest are left for the next consumer). */
  maxMessages?: number;
  /** End when no message arrived for this long and everything handed over is acked. */
  untilIdleMs?: number;
}

export interface PubSubSourceStats {
  /** Messages received (redeliveries of a held message not counted again). */
  received: number;
  acked: number;
  /** Messages held: received and not acked (waiting, in a batch, or in the pipeline). */
  held: number;
  /** Age of the oldest held message (ms), 0 when none. */
  oldestHeldMs: number;
  /** Batches handed over and not yet acked. */
  inFlight: number;
}

export interface PubSubSource extends Source<PubSubMessageValue> {
  stats(): PubSubSourceStats;
  /**
   * Stop receiving and end the source once every message received so far was
   * handed over (the pipeline then commits and acks them and finishes): a
   * drain that leaves nothing received behind.
   */
  drain(): void;
  /** Stop receiving, nack whatever was not acked, close the subscription (after the pipeline finished). */
  close(): Promise<void>;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/i;

/**
 * Epoch ms of an RFC 3339 timestamp, or undefined. Every field must be in its
 * range: Date.parse rolls `2024-02-30` over to March 1 and `T24:00` to the
 * next day, which would file the event under a time it never had.
 */
export function parseRfc3339(text: string | undefined): number | undefined {
  const m = text === undefined ? null : RFC3339.exec(text);
  if (m === null) return undefined;
  const inRange = (v: string, max: number) => Number(v) <= max;
  if (Number.isNaN(parseIsoDate(m[1])) || !inRange(m[2], 23) || !inRange(m[3], 59) || !inRange(m[4], 59)) {
    return undefined;
  }
  if (m[7] !== undefined && (!inRange(m[8], 23) || !inRange(m[9], 59))) return undefined;
  const ms = Date.parse(m[0]);
  return Number.isFinite(ms) ? ms : undefined;
}

interface Held {
  value: PubSubMessageValue;
  eventTime: number;
  receivedAt: number;
  /** Every delivery of this message id still to be acked. */
  deliveries: Message[];
}

export function pubsubSource(opts: PubSubSourceOptions): PubSubSource {
  const commitIntervalMs = opts.commitIntervalMs ?? 2000;
  const maxBatch = opts.maxBatch ?? DEFAULT_MAX_BATCH;
  const lingerMs = Math.min(opts.lingerMs ?? 50, commitIntervalMs);
  const maxDelayMs = opts.maxDelayMs ?? 5000;
  const held = new Map<string, Held>();
  let pending: Held[] = [];
  /** When the oldest pending message arrived (epoch ms). */
  let pendingSince = 0;
  let received = 0;
  let acked = 0;
  let inFlight = 0;
  let lastMessageAt = Date.now();
  let newestEventTime = Number.NEGATIVE_INFINITY;
  let watermark = Number.NEGATIVE_INFINITY;
  let failure: unknown;
  let subscription: Subscription | undefined;
  let closed = false;
  let draining = false;
  let wake: () => void = () => {};

  const onMessage = (message: Message) => {
    const id = message.id;
    const known = held.get(id);
    if (known !== undefined) {
      known.deliveries.push(message);
      return;
    }
    if (closed || draining || (opts.maxMessages !== undefined && received >= opts.maxMessages)) {
      // Beyond --max-messages, or draining: another consumer (or the next run) gets it.
      message.nack();
      return;
    }
    received++;
    const publishTime = message.publishTime.getTime();
    const attributes = message.attributes ?? {};
    const fromAttribute = opts.timestampAttribute ? parseRfc3339(attributes[opts.timestampAttribute]) : undefined;
    const eventTime = fromAttribute ?? publishTime;
    const entry: Held = {
      value: {
        id,
        data: message.data,
        attributes,
        publishTime,
        deliveryAttempt: message.deliveryAttempt || undefined,
      },
      eventTime,
      receivedAt: Date.now(),
      deliveries: [message],
    };
    held.set(id, entry);
    pending.push(entry);
    if (pending.length === 1) pendingSince = entry.receivedAt;
    lastMessageAt = entry.receivedAt;
    const forWatermark = Math.min(eventTime, publishTime);
    if (forWatermark > newestEventTime) newestEventTime = forWatermark;
    if (pending.length === 1 || pending.length >= maxBatch) wake();
  };
  const onError = (err: unknown) => {
    failure ??= fromPubSubError(err, `subscription ${opts.subscription}`, { object: opts.subscription });
    wake();
  };

  function ackBatch(batch: Held[]): void {
    inFlight--;
    for (const h of batch) {
      for (const m of h.deliveries) m.ack();
      held.delete(h.value.id);
      acked++;
    }
    wake();
  }

  function takeBatch(): SourceBatch<PubSubMessageValue> {
    const batch = pending.length > maxBatch ? pending.slice(0, maxBatch) : pending;
    pending = pending.length > maxBatch ? pending.slice(maxBatch) : [];
    if (pending.length > 0) pendingSince = pending[0].receivedAt;
    inFlight++;
    const values = batch.map((h) => h.value);
    const timestamps = batch.map((h) => h.eventTime);
    advanceWatermark(newestEventTime - maxDelayMs);
    let done = false;
    return {
      values,
      timestamps,
      watermark,
      ack: () => {
        if (done) return;
        done = true;
        ackBatch(batch);
      },
    };
  }

  function advanceWatermark(to: number): void {
    if (to > watermark) watermark = to;
  }

  async function* read(ctx: SourceContext): AsyncGenerator<SourceBatch<PubSubMessageValue>> {
    subscription = opts.client.subscription(opts.subscription, {
      flowControl: batchFlowControl(maxBatch),
    });
    subscription.on('message', onMessage);
    subscription.on('error', onError);
    const onAbort = () => wake();
    ctx.signal.addEventListener('abort', onAbort);
    let lastYieldAt = Date.now();
    try {
      for (;;) {
        if (failure !== undefined) throw failure;
        if (ctx.signal.aborted) return;
        const now = Date.now();
        const age = pending.length > 0 ? now - pendingSince : 0;
        const reachedMax = draining || (opts.maxMessages !== undefined && received >= opts.maxMessages);
        if (
          pending.length > 0 &&
          (pending.length >= maxBatch || age >= commitIntervalMs || (inFlight === 0 && age >= lingerMs) || reachedMax)
        ) {
          lastYieldAt = now;
          yield takeBatch();
          continue;
        }
        if (pending.length === 0 && reachedMax) return;
        const idleFor = now - lastMessageAt;
        if (pending.length === 0 && inFlight === 0 && opts.untilIdleMs !== undefined && idleFor >= opts.untilIdleMs) {
          return;
        }
        if (pending.length === 0 && now - lastYieldAt >= commitIntervalMs) {
          // Idle: nothing older than the clock minus the delay can still be on its way.
          if (idleFor >= maxDelayMs) advanceWatermark(now - maxDelayMs);
          lastYieldAt = now;
          yield { values: [], watermark };
          continue;
        }
        // Sleep until something arrives, an ack frees the pipeline, or the next deadline.
        let dueIn = commitIntervalMs - (now - lastYieldAt);
        if (pending.length > 0) dueIn = Math.min(commitIntervalMs - age, inFlight === 0 ? lingerMs - age : dueIn);
        if (opts.untilIdleMs !== undefined) dueIn = Math.min(dueIn, opts.untilIdleMs - idleFor);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, Math.max(1, dueIn));
          wake = done;
          function done() {
            clearTimeout(timer);
            wake = () => {};
            resolve();
          }
        });
      }
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      // Not handed over: the next consumer gets them (close() nacks everything still held).
      pending = [];
    }
  }

  const source = unboundedSource<PubSubMessageValue>(`PubSub(${opts.subscription})`, read);
  return {
    ...source,
    drain() {
      draining = true;
      wake();
    },
    stats() {
      let oldest: number | undefined;
      for (const h of held.values()) {
        oldest = h.receivedAt;
        break;
      }
      return {
        received,
        acked,
        held: held.size,
        oldestHeldMs: oldest === undefined ? 0 : Date.now() - oldest,
        inFlight,
      };
    },
    async close() {
      closed = true;
      const sub = subscription;
      subscription = undefined;
      if (sub === undefined) return;
      // Everything still held goes back to Pub/Sub now (redelivered), not when its lease expires.
      for (const h of held.values()) for (const m of h.deliveries) m.nack();
      held.clear();
      // close() sends the acks and nacks still batched before it resolves. The listeners go only
      // after it: removing the last 'message' listener makes the client start a close of its own
      // that nobody awaits, and ours would then return before the acks left.
      try {
        await sub.close();
      } finally {
        sub.removeListener('message', onMessage);
        sub.removeListener('error', onError);
      }
    },
  };
}
