/**
 * The streaming pipeline, on the SDK:
 *
 *   Pub/Sub micro-batch → Parse (codec + RecordValidator) → Commit (one warehouse
 *   transaction per bundle: bronze, silver, quarantine)
 *                         └ valid events → WindowInto(fixed 60 s, allowed lateness)
 *                             → CountPerMinute → panes ┐
 *                             └ late events ───────────┴→ Gold (recompute the minutes from silver)
 *
 * One source batch is one bundle: the commit sink flushes once at the bundle's
 * end, then the gold sink (later in graph order) refreshes the minutes whose
 * panes fired in that bundle — after the silver rows they cover are committed —
 * and only then does the runner ack the batch. The window branch holds no acks
 * (`holdAcks: false`): what it computes is re-read from silver, so a pane lost
 * to a crash is rebuilt by the reconciliation at start, not by redelivery.
 */
import { RecordValidator, type SalesDomains } from '../../shared/schema/index.ts';
import type { MinuteSelection, StreamCommitResult, StreamEvent, StreamReject } from '../../warehouse/stream.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { crashPoint } from '../crash.ts';
import type { PubSubMessageValue } from '../io/pubsub-source.ts';
import {
  combineGlobally,
  count,
  fixedWindows,
  globalWindows,
  P,
  Pipeline,
  readFrom,
  type Source,
  windowInto,
  windowIntoWithLate,
  writeTo,
  flatten,
} from '../sdk/index.ts';
import { type ParsedMessage, parseMessage } from './parse-message.ts';

export interface CommittedBatch {
  events: readonly StreamEvent[];
  rejects: readonly StreamReject[];
  result: StreamCommitResult;
  /** When the commit was durable (epoch ms) and how long it took. */
  committedAt: number;
  ms: number;
}

export interface StreamPipelineOptions {
  source: Source<PubSubMessageValue>;
  warehouse: Warehouse;
  /** `_source_file` of the rows: the subscription path. */
  sourceName: string;
  /** Seconds after a minute's end during which its late events still fire a pane. */
  allowedLatenessSeconds: number;
  domains?: SalesDomains;
  /** Attempts of a commit failing with transient errors (default 4, as writeTo). */
  commitAttempts?: number;
  onCommitted?: (batch: CommittedBatch) => void;
  onGoldRefreshed?: (minutes: readonly number[], changed: number) => void;
}

export const MINUTE_MS = 60_000;
const WHOLE_BUNDLE = Number.POSITIVE_INFINITY;

export function buildStreamPipeline(opts: StreamPipelineOptions): Pipeline {
  const validator = new RecordValidator(opts.domains);
  const w = opts.warehouse;
  const p = new Pipeline();
  const parsed = p.apply(readFrom(opts.source)).parDo<ParsedMessage>(
    {
      process(m, ctx) {
        ctx.output(parseMessage(m, ctx.timestamp, validator));
      },
    },
    { name: 'Parse' },
  );

  parsed.apply(
    writeTo<ParsedMessage>(
      {
        name: 'Commit',
        async write(messages) {
          const events: StreamEvent[] = [];
          const rejects: StreamReject[] = [];
          for (const m of messages) {
            if (m.valid) events.push(m.event);
            else rejects.push(m.reject);
          }
          const started = performance.now();
          const result = await w.commitStreamBatch({
            events,
            rejects,
            source: opts.sourceName,
            beforeCommit: () => crashPoint('stream-mid-commit'),
          });
          crashPoint('stream-after-commit');
          opts.onCommitted?.({ events, rejects, result, committedAt: Date.now(), ms: performance.now() - started });
        },
      },
      { batchSize: WHOLE_BUNDLE, attempts: opts.commitAttempts },
    ),
  );

  const valid = parsed.flatMap((m) => (m.valid ? [m.event] : []), 'Valid');
  const { main, late } = valid.apply(
    windowIntoWithLate<StreamEvent>(fixedWindows(60), {
      allowedLateness: opts.allowedLatenessSeconds,
      holdAcks: false,
    }),
  );
  const paneMinutes = main
    .apply(combineGlobally(count()), 'CountPerMinute')
    .parDo<number>(
      {
        process(_n, ctx) {
          ctx.output(ctx.window.start);
        },
      },
      { name: 'PaneMinute' },
    )
    // Back to the global window, to meet the late minutes (which kept the input's windowing).
    .apply(windowInto<number>(globalWindows()), 'Rewindow');
  // Events past the allowed lateness fire no pane, but their minute's gold row is still recomputed.
  const lateMinutes = late.map(
    (e) => e.eventTime - (((e.eventTime % MINUTE_MS) + MINUTE_MS) % MINUTE_MS),
    'LateMinute',
  );
  P([paneMinutes, lateMinutes])
    .apply(flatten<number>(), 'Minutes')
    .apply(
      writeTo<number>(
        {
          name: 'Gold',
          async write(minutes) {
            const unique = [...new Set(minutes)];
            const selection: MinuteSelection = { minutes: unique };
            const changed = await w.refreshMinuteTotals(selection);
            crashPoint('stream-after-gold');
            opts.onGoldRefreshed?.(unique, changed);
          },
        },
        { batchSize: WHOLE_BUNDLE },
      ),
    );
  return p;
}
