/**
 * publishEvents: sale events (generator/events.ts) onto a Pub/Sub topic, paced
 * at `rate` events/s (0 = as fast as the topic takes them), through the client's
 * batching and publisher flow control, with counts of every fault sent.
 *
 * Client defaults and why they change here: batching sends after 100 messages
 * or 10 ms; 1,000 messages per request (the most Pub/Sub takes is 1,000 or
 * 10 MB) cuts requests tenfold at full speed, and 10 ms keeps a paced stream's
 * latency low. Publisher flow control (off by default) bounds what waits in
 * memory for the server: 10,000 messages or 64 MiB.
 */
import type { PubSub, Topic } from '@google-cloud/pubsub';
import { UsageError } from '../shared/errors.ts';
import { createPubSubClient } from '../shared/pubsub/client.ts';
import { fromPubSubError } from '../shared/pubsub/errors.ts';
import { parsePubSubName } from '../shared/pubsub/names.ts';
import { ensureTopic } from '../shared/pubsub/resources.ts';
import {
  type EventKind,
  INVALID_KINDS,
  type InvalidKind,
  type SaleEventMessage,
  SaleEvents,
  type SaleEventOptions,
} from './events.ts';

export interface PublishOptions extends SaleEventOptions {
  /** `NAME` (with `project`) or `projects/P/topics/T`. */
  topic: string;
  project?: string;
  /** Emulator `host:port`; default PUBSUB_EMULATOR_HOST. */
  apiEndpoint?: string;
  /** Messages to publish (faults included). */
  rows: number;
  /** Events per second; 0 = unpaced. */
  rate: number;
  /** Create the topic when missing. */
  create?: boolean;
  /** Stop sending (what was sent is still flushed). */
  signal?: AbortSignal;
  /** After each message handed to the client. */
  onSent?: (sent: number, message: SaleEventMessage) => void;
  /** A pubsub client to use (default: one made from project/apiEndpoint, closed at the end). */
  client?: PubSub;
}

export interface PublishSummary {
  topic: string;
  /** Messages the server accepted. */
  published: number;
  /** Sales sent on time, and late. */
  sales: number;
  late: number;
  duplicates: number;
  invalid: number;
  invalidByKind: Record<InvalidKind, number>;
  seconds: number;
  /** True when stopped (signal) before `rows` messages. */
  stopped: boolean;
}

export const PUBLISH_BATCHING = Object.freeze({ maxMessages: 1000, maxMilliseconds: 10 });
export const PUBLISH_FLOW_CONTROL = Object.freeze({
  maxOutstandingMessages: 10_000,
  maxOutstandingBytes: 64 * 2 ** 20,
});
/** Collect the client's id promises in chunks, so a long run does not keep one per message. */
const SETTLE_EVERY = 5000;

export async function publishEvents(opts: PublishOptions): Promise<PublishSummary> {
  if (!(Number.isSafeInteger(opts.rows) && opts.rows >= 0)) {
    throw new UsageError(`--rows must be a whole number ≥ 0, got ${opts.rows}`, { field: 'rows' });
  }
  if (!(opts.rate >= 0 && Number.isFinite(opts.rate))) {
    throw new UsageError(`--rate must be a number of events per second ≥ 0 (0 = unpaced), got ${opts.rate}`, {
      field: 'rate',
    });
  }
  const name = parsePubSubName(opts.topic, 'topics', opts.project);
  const events = new SaleEvents(opts);
  const pubsub = opts.client ?? createPubSubClient({ projectId: name.project, apiEndpoint: opts.apiEndpoint });
  const counts: Record<EventKind, number> = { sale: 0, late: 0, duplicate: 0, invalid: 0 };
  const invalidByKind = Object.fromEntries(INVALID_KINDS.map((k) => [k, 0])) as Record<InvalidKind, number>;
  const start = performance.now();
  let published = 0;
  try {
    const topic: Topic = await ensureTopic(pubsub, name, opts.create ?? false);
    topic.setPublishOptions({ batching: { ...PUBLISH_BATCHING }, flowControlOptions: { ...PUBLISH_FLOW_CONTROL } });
    const publisher = topic.flowControlled();
    const settling: Promise<string[]>[] = [];
    const startedAt = Date.now();
    const intervalMs = opts.rate > 0 ? 1000 / opts.rate : 0;
    let sent = 0;
    for (; sent < opts.rows && !opts.signal?.aborted; sent++) {
      if (intervalMs > 0) {
        const due = startedAt + sent * intervalMs;
        const ahead = due - Date.now();
        // Sleeping under a few ms costs more than it paces; batches of messages share one wake-up.
        if (ahead >= 4) await sleep(ahead, opts.signal);
        if (opts.signal?.aborted) break;
      }
      const message = events.nextMessage(Date.now());
      counts[message.kind]++;
      if (message.invalid !== undefined) invalidByKind[message.invalid]++;
      const wait = publisher.publish({ data: message.data, attributes: message.attributes });
      if (wait !== null) await wait;
      opts.onSent?.(sent + 1, message);
      if ((sent + 1) % SETTLE_EVERY === 0) settling.push(countIds(publisher.all(), (n) => (published += n)));
    }
    settling.push(countIds(publisher.all(), (n) => (published += n)));
    await Promise.all(settling);
    await topic.flush();
    return {
      topic: name.path,
      published,
      sales: counts.sale,
      late: counts.late,
      duplicates: counts.duplicate,
      invalid: counts.invalid,
      invalidByKind,
      seconds: (performance.now() - start) / 1000,
      stopped: sent < opts.rows,
    };
  } catch (err) {
    throw fromPubSubError(err, `publishing to ${name.path}`, { object: name.path, step: 'publish' });
  } finally {
    if (opts.client === undefined) await pubsub.close().catch(() => {});
  }
}

function countIds(ids: Promise<string[]>, add: (n: number) => void): Promise<string[]> {
  return ids.then((list) => {
    add(list.length);
    return list;
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** "published 100,000 messages to projects/p/topics/t in 50.1 s (1,996/s): 98,018 sales (1,002 late), 990 duplicates, 500 invalid (…)" */
export function formatPublishSummary(s: PublishSummary): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const rate = s.seconds > 0 ? Math.round(s.published / s.seconds) : 0;
  const kinds = INVALID_KINDS.filter((k) => s.invalidByKind[k] > 0)
    .map((k) => `${k} ${n(s.invalidByKind[k])}`)
    .join(', ');
  return (
    `${s.stopped ? 'stopped early: ' : ''}published ${n(s.published)} messages to ${s.topic} in ${s.seconds.toFixed(1)} s (${n(rate)}/s): ` +
    `${n(s.sales + s.late)} sales (${n(s.late)} late), ${n(s.duplicates)} duplicates, ${n(s.invalid)} invalid${kinds ? ` (${kinds})` : ''}`
  );
}
