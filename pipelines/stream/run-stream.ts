/**
 * runStream: a Pub/Sub subscription → the warehouse, until drained (signal),
 * idle (`untilIdleMs`) or `maxMessages` were handled.
 *
 * Each attempt runs the stream pipeline (stream-pipeline.ts) on a fresh source.
 * A drain goes through the source: it stops receiving, hands over what it
 * holds and ends, so the pipeline commits and acks everything received and
 * finishes; nothing received is left for redelivery.
 * A commit that fails (after the sink's retries of transient errors) fails the
 * attempt: nothing more is acked, close() nacks what the source held, so Pub/Sub
 * redelivers it (a delivery attempt for a dead-letter policy). A transient
 * failure (warehouse or Pub/Sub unreachable) is logged and the stream starts
 * again after a backoff, like `pipeline batch --watch`; a terminal one ends it.
 *
 * At start, gold_sales_per_minute is reconciled with silver for the minutes of
 * rows loaded recently, so a crash between a commit and its pane never leaves
 * gold stale.
 */
import type { PubSub } from '@google-cloud/pubsub';
import { describeError, SalesflowError } from '../../shared/errors.ts';
import { log } from '../../shared/log.ts';
import { createPubSubClient } from '../../shared/pubsub/client.ts';
import { parsePubSubName } from '../../shared/pubsub/names.ts';
import { ensureSubscription, type SubscriptionSpec } from '../../shared/pubsub/resources.ts';
import type { SalesDomains } from '../../shared/schema/index.ts';
import { WarehouseLockedError } from '../../warehouse/errors.ts';
import { type OpenWarehouseOptions, openWarehouse } from '../../warehouse/open.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { type PubSubSource, pubsubSource } from '../io/pubsub-source.ts';
import { DirectRunner, type PipelineResult } from '../sdk/index.ts';
import { buildStreamPipeline, type CommittedBatch } from './stream-pipeline.ts';

export interface RunStreamOptions {
  /** `NAME` (with `project`) or `projects/P/subscriptions/S`. */
  subscription: string;
  project?: string;
  /** Emulator `host:port`; default PUBSUB_EMULATOR_HOST. */
  apiEndpoint?: string;
  /** A warehouse (kept open), or its spec (opened and closed here; default as every command). */
  warehouse?: Warehouse | string;
  warehouseOptions?: OpenWarehouseOptions;
  /** Create the subscription (and topics, dead-letter policy) when missing. */
  create?: { topic: string; deadLetterTopic?: string; maxDeliveryAttempts?: number };
  /** `--no-create`: check that the warehouse has its tables and views, create none of them. */
  checkOnly?: boolean;
  /** Longest a message waits for its commit (default 2000 ms). */
  commitIntervalMs?: number;
  /** Most messages per micro-batch (default 5000). */
  maxBatch?: number;
  /** How long an idle pipeline's micro-batch gathers messages (default 50 ms; = commitIntervalMs: fixed batches). */
  lingerMs?: number;
  untilIdleMs?: number;
  maxMessages?: number;
  /** Seconds a minute's window stays open for late events (default 60). */
  allowedLatenessSeconds?: number;
  /** Watermark lag behind the newest event time (default 5000 ms). */
  maxDelayMs?: number;
  /** Attribute with the event time (default `event_time`). */
  timestampAttribute?: string;
  domains?: SalesDomains;
  /** Drain: finish and commit what was read, ack, return. */
  drainSignal?: AbortSignal;
  /** Stop now: commit nothing more (what is not acked is redelivered). */
  cancelSignal?: AbortSignal;
  /** Attempts of one commit on transient errors before the attempt fails (default 4). */
  commitAttempts?: number;
  /** Backoff between failed attempts: first and largest delay (default 1 s, 30 s). */
  retryDelayMs?: { first: number; max: number };
  /** Minutes of rows loaded this long ago are reconciled into gold at start (default 24 h). */
  reconcileWindowMs?: number;
  onCommitted?: (batch: CommittedBatch) => void;
  /** An attempt failed transiently; the next starts after `delayMs`. */
  onRetry?: (err: SalesflowError, delayMs: number) => void;
  /** A pubsub client to use (default: made here and closed at the end). */
  client?: PubSub;
}

export interface StreamTotals {
  /** Messages received (each once). */
  received: number;
  /** Messages acknowledged to Pub/Sub (after their commit). */
  acked: number;
  /** Messages committed (valid + invalid), redeliveries included. */
  committed: number;
  bronze: number;
  silver: number;
  duplicates: number;
  quarantined: number;
  redelivered: number;
  /** Valid events later than the allowed lateness (still in silver). */
  late: number;
  commits: number;
  goldRefreshes: number;
  /** Attempts that failed transiently and were started again. */
  retries: number;
}

export type StreamState = 'starting' | 'running' | 'retrying' | 'draining' | 'done' | 'failed';

export interface StreamStatus extends StreamTotals {
  state: StreamState;
  /** Messages received but not acked, and the age of the oldest (ms). */
  held: number;
  oldestUnackedMs: number;
}

export interface StreamSummary extends StreamTotals {
  subscription: string;
  warehouse: string;
  seconds: number;
  stoppedBy: 'drain' | 'idle' | 'max-messages' | 'cancel';
}

export interface StreamHandle {
  /** Resolves with the summary when the stream ends; rejects on a terminal failure. */
  done: Promise<StreamSummary>;
  status(): StreamStatus;
}

const RECONCILE_WINDOW_MS = 24 * 3_600_000;

export function startStream(opts: RunStreamOptions): StreamHandle {
  const totals: StreamTotals = {
    received: 0,
    acked: 0,
    committed: 0,
    bronze: 0,
    silver: 0,
    duplicates: 0,
    quarantined: 0,
    redelivered: 0,
    late: 0,
    commits: 0,
    goldRefreshes: 0,
    retries: 0,
  };
  let state: StreamState = 'starting';
  let source: PubSubSource | undefined;
  let result: PipelineResult | undefined;
  let receivedBefore = 0;
  let ackedBefore = 0;
  const lateOf = (r: PipelineResult | undefined) => r?.counters()['WindowInto(fixed)/late'] ?? 0;
  const status = (): StreamStatus => {
    const s = source?.stats();
    return {
      ...totals,
      received: receivedBefore + (s?.received ?? 0),
      acked: ackedBefore + (s?.acked ?? 0),
      late: totals.late + lateOf(result),
      state,
      held: s?.held ?? 0,
      oldestUnackedMs: s?.oldestHeldMs ?? 0,
    };
  };
  const done = (async (): Promise<StreamSummary> => {
    const started = performance.now();
    const name = parsePubSubName(opts.subscription, 'subscriptions', opts.project);
    const warehouse =
      typeof opts.warehouse === 'object' ? opts.warehouse : await openStreamWarehouse(opts.warehouse, opts);
    const pubsub = opts.client ?? createPubSubClient({ projectId: name.project, apiEndpoint: opts.apiEndpoint });
    let stoppedBy: StreamSummary['stoppedBy'] = 'drain';
    try {
      await (opts.checkOnly ? warehouse.check() : warehouse.ensure());
      const reconciled = await warehouse.refreshMinuteTotals({
        since: Date.now() - (opts.reconcileWindowMs ?? RECONCILE_WINDOW_MS),
      });
      if (reconciled > 0) log.info(`gold_sales_per_minute: ${reconciled} minute rows brought up to date from silver`);
      await ensureSubscription(pubsub, name, subscriptionSpec(opts, name.project));
      const retry = opts.retryDelayMs ?? { first: 1000, max: 30_000 };
      let delay = retry.first;
      for (;;) {
        if (opts.drainSignal?.aborted) break;
        if (opts.cancelSignal?.aborted) {
          stoppedBy = 'cancel';
          break;
        }
        const remaining = opts.maxMessages === undefined ? undefined : opts.maxMessages - totals.committed;
        if (remaining !== undefined && remaining <= 0) {
          stoppedBy = 'max-messages';
          break;
        }
        const commitsBefore = totals.commits;
        source = pubsubSource({
          client: pubsub,
          subscription: name.path,
          timestampAttribute: opts.timestampAttribute ?? 'event_time',
          commitIntervalMs: opts.commitIntervalMs,
          maxBatch: opts.maxBatch,
          lingerMs: opts.lingerMs,
          maxDelayMs: opts.maxDelayMs,
          maxMessages: remaining,
          untilIdleMs: opts.untilIdleMs,
        });
        const pipeline = buildStreamPipeline({
          source,
          warehouse,
          sourceName: name.path,
          allowedLatenessSeconds: opts.allowedLatenessSeconds ?? 60,
          domains: opts.domains,
          commitAttempts: opts.commitAttempts,
          onCommitted: (batch) => {
            const r = batch.result;
            totals.commits++;
            totals.committed += batch.events.length + batch.rejects.length;
            totals.bronze += r.bronze;
            totals.silver += r.silver;
            totals.duplicates += r.duplicates;
            totals.quarantined += r.quarantined;
            totals.redelivered += r.redelivered;
            log.debug(
              `commit #${totals.commits}: ${batch.events.length + batch.rejects.length} messages → bronze +${r.bronze}, ` +
                `silver +${r.silver}, duplicates ${r.duplicates}, quarantined ${r.quarantined}, ` +
                `redelivered ${r.redelivered} in ${batch.ms.toFixed(0)} ms`,
            );
            opts.onCommitted?.(batch);
          },
          onGoldRefreshed: (minutes, changed) => {
            totals.goldRefreshes++;
            log.debug(`gold_sales_per_minute: ${minutes.length} minutes refreshed, ${changed} rows changed`);
          },
        });
        state = 'running';
        // A pipeline per attempt, so the signals reach only the attempt that runs.
        result = new DirectRunner({
          cancelSignal: opts.cancelSignal,
          maxBundleSize: Number.POSITIVE_INFINITY,
        }).run(pipeline);
        // Drain through the source: it stops receiving and hands over what it holds, so everything
        // received is committed and acked; the pipeline then ends as a bounded one does.
        const attemptSource = source;
        const onDrain = () => {
          state = 'draining';
          attemptSource.drain();
        };
        if (opts.drainSignal?.aborted) onDrain();
        else opts.drainSignal?.addEventListener('abort', onDrain, { once: true });
        let failure: unknown;
        let endState: string | undefined;
        try {
          endState = await result.waitUntilFinish();
        } catch (err) {
          failure = err;
        } finally {
          opts.drainSignal?.removeEventListener('abort', onDrain);
          totals.late += lateOf(result);
          result = undefined;
          const s = source.stats();
          receivedBefore += s.received;
          ackedBefore += s.acked;
          await source.close().catch((e) => log.warn(`closing the subscription: ${describeError(e)}`));
          source = undefined;
        }
        if (failure === undefined) {
          if (endState === 'CANCELLED') stoppedBy = 'cancel';
          else if (opts.drainSignal?.aborted) stoppedBy = 'drain';
          else if (opts.maxMessages !== undefined && totals.committed >= opts.maxMessages) stoppedBy = 'max-messages';
          else stoppedBy = 'idle';
          break;
        }
        if (!(failure instanceof SalesflowError && failure.transient) || opts.cancelSignal?.aborted) throw failure;
        if (totals.commits > commitsBefore) delay = retry.first;
        totals.retries++;
        state = 'retrying';
        opts.onRetry?.(failure, delay);
        await sleep(delay, opts.drainSignal, opts.cancelSignal);
        delay = Math.min(delay * 2, retry.max);
      }
      state = 'done';
      totals.received = receivedBefore;
      totals.acked = ackedBefore;
      return {
        ...totals,
        subscription: name.path,
        warehouse: warehouse.target,
        seconds: (performance.now() - started) / 1000,
        stoppedBy,
      };
    } catch (err) {
      state = 'failed';
      throw err;
    } finally {
      if (opts.client === undefined) await pubsub.close().catch(() => {});
      if (typeof opts.warehouse !== 'object') await warehouse.close();
    }
  })();
  return { done, status };
}

/** runStream(opts) = startStream(opts).done. */
export function runStream(opts: RunStreamOptions): Promise<StreamSummary> {
  return startStream(opts).done;
}

function subscriptionSpec(opts: RunStreamOptions, project: string): SubscriptionSpec | undefined {
  if (opts.create === undefined) return undefined;
  return {
    topic: parsePubSubName(opts.create.topic, 'topics', project),
    deadLetterTopic:
      opts.create.deadLetterTopic === undefined
        ? undefined
        : parsePubSubName(opts.create.deadLetterTopic, 'topics', project),
    maxDeliveryAttempts: opts.create.maxDeliveryAttempts,
  };
}

/**
 * DuckDB admits one process per file: a second stream (or any writer) on it
 * gets a clear refusal naming the holder at once — not the retry loop a
 * transient lock would get, and never a corrupt file.
 */
async function openStreamWarehouse(spec: string | undefined, opts: RunStreamOptions): Promise<Warehouse> {
  try {
    return await openWarehouse(spec, { ...opts.warehouseOptions, access: 'pipeline', mustExist: opts.checkOnly });
  } catch (err) {
    if (!(err instanceof WarehouseLockedError)) throw err;
    throw new SalesflowError(
      `${err.message}. DuckDB allows one writer per file, so one pipeline stream per warehouse file: stop the ` +
        'other process, or give this stream its own --warehouse',
      { code: 'WAREHOUSE_LOCKED', retry: 'terminal', context: err.context, cause: err },
    );
  }
}

function sleep(ms: number, ...signals: (AbortSignal | undefined)[]): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    for (const s of signals) s?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      for (const s of signals) s?.removeEventListener('abort', done);
      resolve();
    }
  });
}
