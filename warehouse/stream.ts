/**
 * The streaming commit, written once for both dialects. A micro-batch of
 * messages (valid events and rejects) is staged in `stream_stage` under a batch
 * id of its own (DuckDB: appended inside the transaction; BigQuery: through the
 * Storage Write API, see bigquery-stream-stage.ts), then ONE transaction decides
 * and writes:
 *
 * - the commit lock first (commit-lock.ts): concurrent writers take effect one
 *   at a time, each against everything committed before it;
 * - the batch's verdicts, in a TEMP table: `new_message` — the message id is in
 *   neither bronze nor quarantine yet, so a redelivered message adds nothing;
 *   `keep` — a valid event whose transaction_id is not in silver (from files or
 *   earlier events) and is the first of its id in the batch by (publish time,
 *   message id) — the rest are counted as duplicates. A staged row appears once
 *   per position even if its append landed twice;
 * - a check that every message of the batch was staged (else the transaction
 *   fails and nothing is written);
 * - valid new messages → bronze_sales, kept events → silver_sales, invalid new
 *   messages → quarantine_sales (payload, attributes, reasons);
 * - the batch's staged rows are deleted, with any an hour old (left by a
 *   consumer that died between staging and committing).
 *
 * The verdicts are taken inside the transaction, so a crash anywhere before
 * COMMIT leaves no trace but staged rows nobody commits, and a re-delivery
 * after a crash past COMMIT finds everything already there: the effect of a
 * run equals an uninterrupted one's, with one consumer or several.
 * gold_sales_per_minute is recomputed from silver for given minutes (MERGE by
 * minute and region, in a transaction with the same lock), so it is exact and
 * idempotent whoever computes it.
 */
import { COLUMN_NAMES, type SalesRecord } from '../shared/schema/index.ts';
import { formatCents } from '../shared/money.ts';
import { currentTimestampSql } from './merge.ts';
import { tableDef } from './tables.ts';
import { type Dialect, type Params, type ParamValue, transactionScript, type Warehouse } from './warehouse.ts';

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

/** The staging table's columns, in order (the rows of streamStageRows follow it). */
export const STREAM_STAGE_FIELDS = tableDef('stream_stage')?.fields ?? [];

/** The TEMP table holding one commit's verdicts (per connection on DuckDB, per script on BigQuery). */
const BATCH_VERDICTS = 'stream_batch';

/** Staged rows older than this were left by a consumer that died before committing them. */
export const STALE_STAGE_MS = 3_600_000;

/** What the commit fails with when rows of its batch are not in the stage (a retry stages them again). */
export const STAGE_INCOMPLETE = 'salesflow: the micro-batch is not completely staged';

const iso = (ms: number) => new Date(ms).toISOString();

/** The staged rows of one batch as text values in STREAM_STAGE_FIELDS order (events first, then rejects). */
export function streamStageRows(req: StreamCommitRequest, batchId: string, stagedAt: number): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let seq = 0;
  const staged = iso(stagedAt);
  for (const e of req.events) {
    const r = e.record;
    rows.push([
      batchId,
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
      staged,
    ]);
  }
  for (const x of req.rejects) {
    rows.push([
      batchId,
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
      staged,
    ]);
  }
  return rows;
}

/** The commit's parameters: the batch, how many messages it has, where they came from. */
export function streamCommitParams(req: StreamCommitRequest, batchId: string, now: number): Params {
  return {
    batch: batchId,
    expected: req.events.length + req.rejects.length,
    source: req.source,
    stale_before: { type: 'TIMESTAMP', value: iso(now - STALE_STAGE_MS) },
  };
}

/**
 * The transaction's statements (after the commit lock) for the batch `@batch`
 * of `@expected` messages staged in stream_stage.
 */
export function streamCommitStatements(dialect: Dialect, ref: (name: string) => string): string[] {
  const cols = COLUMN_NAMES.join(', ');
  const now = currentTimestampSql(dialect);
  const stage = ref('stream_stage');
  const ids = (table: string, column: string) => `SELECT ${column} FROM ${ref(table)} WHERE ${column} IS NOT NULL`;
  return [
    `CREATE OR REPLACE TEMP TABLE ${BATCH_VERDICTS} AS
WITH staged AS (
  SELECT * FROM ${stage} WHERE _batch_id = @batch
  QUALIFY ROW_NUMBER() OVER (PARTITION BY _seq ORDER BY _staged_at) = 1
),
firsts AS (
  SELECT _seq FROM staged WHERE valid
  QUALIFY ROW_NUMBER() OVER (PARTITION BY transaction_id ORDER BY _publish_time, _message_id) = 1
)
SELECT staged.*,
  _message_id NOT IN (${ids('bronze_sales', '_message_id')})
    AND _message_id NOT IN (${ids('quarantine_sales', '_message_id')}) AS new_message,
  valid AND _seq IN (SELECT _seq FROM firsts)
    AND transaction_id NOT IN (${ids('silver_sales', 'transaction_id')}) AS keep
FROM staged`,
    `SELECT CASE WHEN (SELECT COUNT(*) FROM ${BATCH_VERDICTS}) = @expected THEN 0
  ELSE ERROR('${STAGE_INCOMPLETE}') END AS complete`,
    `INSERT INTO ${ref('bronze_sales')} (${cols}, _source_file, _ingested_at, _message_id, _publish_time, _event_time)
SELECT ${cols}, @source, ${now}, _message_id, _publish_time, _event_time FROM ${BATCH_VERDICTS} WHERE valid AND new_message`,
    `INSERT INTO ${ref('quarantine_sales')} (raw_row, _source_file, reasons, _ingested_at, _message_id, _publish_time, _attributes, _payload_encoding)
SELECT raw_row, @source, reasons, ${now}, _message_id, _publish_time, _attributes, _payload_encoding FROM ${BATCH_VERDICTS} WHERE NOT valid AND new_message`,
    `INSERT INTO ${ref('silver_sales')} (${cols}, _source_file, _loaded_at, _message_id, _event_time)
SELECT ${cols}, @source, ${now}, _message_id, _event_time FROM ${BATCH_VERDICTS} WHERE keep`,
    `DELETE FROM ${stage} WHERE _batch_id = @batch OR _staged_at < @stale_before`,
  ];
}

/** Counts of the committed batch, read from its verdicts (after COMMIT, in the same script or connection). */
export function streamCountsSql(): string {
  const n = (cond: string) => `SUM(CASE WHEN ${cond} THEN 1 ELSE 0 END)`;
  return `SELECT ${n('valid AND new_message')} AS bronze, ${n('keep')} AS silver,
  ${n('valid AND NOT keep')} AS duplicates, ${n('NOT valid AND new_message')} AS quarantined,
  ${n('NOT new_message')} AS redelivered
FROM ${BATCH_VERDICTS}`;
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
 * Recompute the selected minutes' totals from silver's streamed rows into
 * gold_sales_per_minute, in one transaction (behind the commit lock, so two
 * processes refreshing one minute never both insert it): the rows that differ
 * go to a TEMP table, new (minute, region) rows are inserted, changed ones
 * updated, equal ones left alone. Resolves to the rows changed.
 */
export async function refreshMinuteTotals(
  w: Pick<Warehouse, 'dialect' | 'ref' | 'query'>,
  selection: MinuteSelection,
): Promise<number> {
  if ('minutes' in selection && selection.minutes.length === 0) return 0;
  const { sql, params } = refreshMinuteTotalsScript(w.dialect, (n) => w.ref(n), selection);
  const { rows } = await w.query(sql, { params });
  return Number(rows[0]?.changed ?? 0);
}

/** The refresh as one script: the transaction, then the count of rows it changed. */
export function refreshMinuteTotalsScript(
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
  const gold = ref('gold_sales_per_minute');
  const into = dialect === 'duckdb' ? 'MERGE INTO' : 'MERGE';
  const now = currentTimestampSql(dialect);
  const changes = `CREATE OR REPLACE TEMP TABLE ${GOLD_CHANGES} AS
SELECT S.window_start, S.sales_region, S.transactions, S.total_sales
FROM (
  SELECT ${minuteOf(dialect, '_event_time')} AS window_start, sales_region,
    COUNT(*) AS transactions, SUM(sale_amount) AS total_sales
  FROM ${ref('silver_sales')}
  WHERE _event_time IS NOT NULL AND ${filter}
  GROUP BY 1, 2
) S
LEFT JOIN ${gold} T ON T.window_start = S.window_start AND T.sales_region = S.sales_region
WHERE T.window_start IS NULL OR T.transactions <> S.transactions OR T.total_sales <> S.total_sales`;
  const merge = `${into} ${gold} T
USING ${GOLD_CHANGES} S
ON T.window_start = S.window_start AND T.sales_region = S.sales_region
WHEN MATCHED THEN
  UPDATE SET transactions = S.transactions, total_sales = S.total_sales, updated_at = ${now}
WHEN NOT MATCHED THEN
  INSERT (window_start, sales_region, transactions, total_sales, updated_at)
  VALUES (S.window_start, S.sales_region, S.transactions, S.total_sales, ${now})`;
  const sql = `${transactionScript(dialect, [changes, merge])}\nSELECT COUNT(*) AS changed FROM ${GOLD_CHANGES};`;
  return { sql, params };
}

/** The TEMP table of one refresh's changed minute rows. */
const GOLD_CHANGES = 'gold_changes';
