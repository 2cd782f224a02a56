/**
 * The streaming commit, written once for both dialects: a micro-batch of
 * messages (valid events and rejects) is staged in a table of its own, then ONE
 * transaction decides and writes:
 *
 * - `new_message`: the message id is in neither bronze nor quarantine yet, so a
 *   redelivered message adds nothing;
 * - `keep`: a valid event whose transaction_id is not in silver (from files or
 *   earlier events) and is the first of its id in the batch by (publish time,
 *   message id) — the rest are counted as duplicates;
 * - valid new messages → bronze_sales, kept events → silver_sales, invalid new
 *   messages → quarantine_sales (payload, attributes, reasons).
 *
 * The verdicts are taken inside the transaction, so a crash anywhere before
 * COMMIT leaves no trace, and a re-delivery after a crash past COMMIT finds
 * everything already there: the effect of a run equals an uninterrupted one's.
 * gold_sales_per_minute is recomputed from silver for given minutes (MERGE by
 * minute and region), so it is exact and idempotent whoever computes it.
 */
import type { BigQueryField, SalesRecord } from '../shared/schema/index.ts';
import { COLUMN_NAMES } from '../shared/schema/index.ts';
import { formatCents } from '../shared/money.ts';
import { currentTimestampSql } from './merge.ts';
import { stagingFields } from './tables.ts';
import type { Dialect, Params, ParamValue } from './warehouse.ts';

/** A message whose data is a valid sales record. */
export interface StreamEvent {
  messageId: string;
  /** Epoch ms. */
  publishTime: number;
  /** When the sale happened (epoch ms): the event_time attribute, else the publish time. */
  eventTime: number;
  record: SalesRecord;
}

/** A message that can never load (poison): kept with why. */
export interface StreamReject {
  messageId: string;
  publishTime: number;
  /** The data as text, or base64 when it is not UTF-8 (then `payloadEncoding` is 'base64'). */
  payload: string;
  payloadEncoding?: 'base64';
  attributes: Readonly<Record<string, string>>;
  /** `field: reason; …` */
  reasons: string;
}

export interface StreamCommitRequest {
  events: readonly StreamEvent[];
  rejects: readonly StreamReject[];
  /** Where the messages came from (the subscription path): `_source_file` of their rows. */
  source: string;
  /** Called inside the transaction, after every write and before COMMIT (crash tests). */
  beforeCommit?: () => void;
}

export interface StreamCommitResult {
  /** Valid events written to bronze (new message ids). */
  bronze: number;
  /** Events whose transaction_id entered silver. */
  silver: number;
  /** Valid events not entering silver: their transaction_id was there already or earlier in the batch. */
  duplicates: number;
  /** Rejects written to quarantine (new message ids). */
  quarantined: number;
  /** Messages already committed by an earlier delivery (nothing written for them). */
  redelivered: number;
}

/** Minutes (epoch ms of their start) whose totals to recompute, or every minute with rows loaded since `since`. */
export type MinuteSelection = { minutes: readonly number[] } | { since: number };

export const STREAM_STAGE_FIELDS: readonly BigQueryField[] = [
  { name: '_seq', type: 'INT64', mode: 'NULLABLE' },
  { name: 'valid', type: 'BOOL', mode: 'NULLABLE' },
  ...stagingFields(),
  { name: '_message_id', type: 'STRING', mode: 'NULLABLE' },
  { name: '_publish_time', type: 'TIMESTAMP', mode: 'NULLABLE' },
  { name: '_event_time', type: 'TIMESTAMP', mode: 'NULLABLE' },
  { name: 'raw_row', type: 'STRING', mode: 'NULLABLE' },
  { name: 'reasons', type: 'STRING', mode: 'NULLABLE' },
  { name: '_attributes', type: 'STRING', mode: 'NULLABLE' },
  { name: '_payload_encoding', type: 'STRING', mode: 'NULLABLE' },
  { name: 'new_message', type: 'BOOL', mode: 'NULLABLE' },
  { name: 'keep', type: 'BOOL', mode: 'NULLABLE' },
];

/** Columns filled from the request (the verdict columns are set by the commit). */
export const STREAM_STAGE_INPUT = STREAM_STAGE_FIELDS.filter((f) => f.name !== 'new_message' && f.name !== 'keep');

const iso = (ms: number) => new Date(ms).toISOString();

/** The staged rows as text values in STREAM_STAGE_INPUT order (events first, then rejects). */
export function streamStageRows(req: StreamCommitRequest): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let seq = 0;
  for (const e of req.events) {
    const r = e.record;
    rows.push([
      String(seq++),
      'true',
      r.transaction_id,
      String(r.customer_id),
      r.transaction_date,
      formatCents(r.sale_amount),
      r.product_category,
      r.sales_region,
      e.messageId,
      iso(e.publishTime),
      iso(e.eventTime),
      null,
      null,
      null,
      null,
    ]);
  }
  for (const x of req.rejects) {
    rows.push([
      String(seq++),
      'false',
      null,
      null,
      null,
      null,
      null,
      null,
      x.messageId,
      iso(x.publishTime),
      null,
      x.payload,
      x.reasons,
      JSON.stringify(x.attributes),
      x.payloadEncoding ?? null,
    ]);
  }
  return rows;
}

/** The transaction's statements over the staged batch `stage` (a table this writer alone uses). */
export function streamCommitStatements(dialect: Dialect, ref: (name: string) => string, stage: string): string[] {
  const cols = COLUMN_NAMES.join(', ');
  const now = currentTimestampSql(dialect);
  const s = ref(stage);
  return [
    `UPDATE ${s} SET keep = FALSE, new_message =
  NOT EXISTS (SELECT 1 FROM ${ref('bronze_sales')} b WHERE b._message_id = ${s}._message_id)
  AND NOT EXISTS (SELECT 1 FROM ${ref('quarantine_sales')} q WHERE q._message_id = ${s}._message_id)
WHERE TRUE`,
    `UPDATE ${s} SET keep = TRUE
WHERE valid
  AND _seq IN (
    SELECT _seq FROM (
      SELECT _seq, ROW_NUMBER() OVER (PARTITION BY transaction_id ORDER BY _publish_time, _message_id) AS rn
      FROM ${s} WHERE valid
    ) firsts WHERE rn = 1
  )
  AND NOT EXISTS (SELECT 1 FROM ${ref('silver_sales')} t WHERE t.transaction_id = ${s}.transaction_id)`,
    `INSERT INTO ${ref('bronze_sales')} (${cols}, _source_file, _ingested_at, _message_id, _publish_time, _event_time)
SELECT ${cols}, @source, ${now}, _message_id, _publish_time, _event_time FROM ${s} WHERE valid AND new_message`,
    `INSERT INTO ${ref('quarantine_sales')} (raw_row, _source_file, reasons, _ingested_at, _message_id, _publish_time, _attributes, _payload_encoding)
SELECT raw_row, @source, reasons, ${now}, _message_id, _publish_time, _attributes, _payload_encoding FROM ${s} WHERE NOT valid AND new_message`,
    `INSERT INTO ${ref('silver_sales')} (${cols}, _source_file, _loaded_at, _message_id, _event_time)
SELECT ${cols}, @source, ${now}, _message_id, _event_time FROM ${s} WHERE keep`,
  ];
}

/** Counts of the committed batch, read from its stage afterwards. */
export function streamCountsSql(ref: (name: string) => string, stage: string): string {
  const n = (cond: string) => `SUM(CASE WHEN ${cond} THEN 1 ELSE 0 END)`;
  return `SELECT ${n('valid AND new_message')} AS bronze, ${n('keep')} AS silver,
  ${n('valid AND NOT keep')} AS duplicates, ${n('NOT valid AND new_message')} AS quarantined,
  ${n('NOT new_message')} AS redelivered
FROM ${ref(stage)}`;
}

export function streamCommitResult(row: Record<string, unknown> | undefined): StreamCommitResult {
  const n = (k: string) => Number(row?.[k] ?? 0);
  return {
    bronze: n('bronze'),
    silver: n('silver'),
    duplicates: n('duplicates'),
    quarantined: n('quarantined'),
    redelivered: n('redelivered'),
  };
}

/** The start of the minute of a TIMESTAMP expression. */
function minuteOf(dialect: Dialect, expr: string): string {
  return dialect === 'bigquery' ? `TIMESTAMP_TRUNC(${expr}, MINUTE)` : `date_trunc('minute', ${expr})`;
}

/**
 * MERGE the totals of the selected minutes, recomputed from silver's streamed
 * rows, into gold_sales_per_minute: new (minute, region) rows are inserted,
 * changed ones updated, equal ones left alone.
 */
export function refreshMinuteTotalsSql(
  dialect: Dialect,
  ref: (name: string) => string,
  selection: MinuteSelection,
): { sql: string; params: Params } {
  const params: Record<string, ParamValue> = {};
  let filter: string;
  if ('since' in selection) {
    params.since = { type: 'TIMESTAMP', value: iso(selection.since) };
    filter = `${minuteOf(dialect, '_event_time')} IN (
      SELECT DISTINCT ${minuteOf(dialect, '_event_time')} FROM ${ref('silver_sales')}
      WHERE _event_time IS NOT NULL AND _loaded_at >= @since)`;
  } else {
    const minutes = [...new Set(selection.minutes)].sort((a, b) => a - b);
    const names = minutes.map((m, i) => {
      params[`m${i}`] = { type: 'TIMESTAMP', value: iso(m) };
      return `@m${i}`;
    });
    params.from = { type: 'TIMESTAMP', value: iso(minutes[0]) };
    params.to = { type: 'TIMESTAMP', value: iso(minutes[minutes.length - 1] + 60_000) };
    // The range lets both engines prune silver before the minute test.
    filter = `_event_time >= @from AND _event_time < @to AND ${minuteOf(dialect, '_event_time')} IN (${names.join(', ')})`;
  }
  const into = dialect === 'duckdb' ? 'MERGE INTO' : 'MERGE';
  const now = currentTimestampSql(dialect);
  const sql = `${into} ${ref('gold_sales_per_minute')} T
USING (
  SELECT ${minuteOf(dialect, '_event_time')} AS window_start, sales_region,
    COUNT(*) AS transactions, SUM(sale_amount) AS total_sales
  FROM ${ref('silver_sales')}
  WHERE _event_time IS NOT NULL AND ${filter}
  GROUP BY 1, 2
) S
ON T.window_start = S.window_start AND T.sales_region = S.sales_region
WHEN MATCHED AND (T.transactions <> S.transactions OR T.total_sales <> S.total_sales) THEN
  UPDATE SET transactions = S.transactions, total_sales = S.total_sales, updated_at = ${now}
WHEN NOT MATCHED THEN
  INSERT (window_start, sales_region, transactions, total_sales, updated_at)
  VALUES (S.window_start, S.sales_region, S.transactions, S.total_sales, ${now})`;
  return { sql, params };
}
