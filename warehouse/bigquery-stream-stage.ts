/**
 * Stream micro-batches into BigQuery's `stream_stage` through the Storage Write
 * API: one long-lived COMMITTED write stream per writer, appended at explicit
 * offsets. Rows of a COMMITTED stream are visible once their append is
 * acknowledged, so the commit transaction can read the batch right after.
 *
 * Why this shape (docs/streaming.md has the whole argument): a PENDING stream
 * per micro-batch plus BatchCommitWriteStreams would create a stream per commit
 * — with a commit every few seconds per consumer that meets CreateWriteStream's
 * quota (about 10,000 streams an hour per project) — and buys an atomicity the
 * design does not need: the transaction reads the batch by its id after the
 * appends are acknowledged and checks that all of it is there. The `_default`
 * stream takes no offsets, so a retried append could land twice; a stream of
 * our own with offsets makes a retry land once: an append at an offset already
 * written is answered ALREADY_EXISTS ("it had landed"), which is success.
 *
 * What the writer handles:
 * - UNAVAILABLE and other retryable gRPC failures, a lost answer, an append with
 *   no answer within `timeoutMs` (the connection is dropped): retry the same
 *   rows at the same offset;
 * - OUT_OF_RANGE (the stream is shorter than this writer counted), a stream
 *   that is gone (NOT_FOUND) or finalized: a new stream, the rows at offset 0 —
 *   a row that landed twice is harmless, the commit keeps one per position;
 * - row errors, a column the table lacks (SCHEMA_MISMATCH_EXTRA_FIELDS), a
 *   missing table: terminal, with the service's reason;
 * - values in the API's encodings (storageWriteValue): TIMESTAMP as int64
 *   microseconds (a millisecond count would land in January 1970), DATE as
 *   days since the epoch, INT64 as a decimal string (exact past 2^53), NUMERIC
 *   as a decimal string;
 * - requests kept under the API's 10 MB limit (several appends per batch).
 */
import { TransientError, type SalesflowError } from '../shared/errors.ts';
import { parseIsoDate } from '../shared/dates.ts';
import type { BigQueryField } from '../shared/schema/index.ts';
import { LoadError } from '../shared/errors.ts';
import { createStorageWriterClient, type WriterClient } from './bigquery-storage-client.ts';

type StreamConnection = Awaited<ReturnType<WriterClient['createStreamConnection']>>;
type JsonWriter = InstanceType<typeof import('@google-cloud/bigquery-storage')['managedwriter']['JSONWriter']>;
type StorageRow = Record<string, string | number | boolean>;

export interface StreamStageWriterOptions {
  projectId: string;
  datasetId: string;
  table: string;
  /** The columns written (a subset of the table's, by name). */
  fields: readonly BigQueryField[];
  /** `host:port` of a Storage Write API emulator or test server; default BIGQUERY_STORAGE_EMULATOR_HOST, else Google's. */
  endpoint?: string;
  /** The REST API goes to an emulator: then Google's Storage Write API is never the right peer (refused, naming the variable). */
  restEmulated?: boolean;
  /** Attempts of one append on retryable failures (default 8, backoff from 100 ms doubling to 5 s). */
  attempts?: number;
  /** Longest one append may wait for its answer before the connection is dropped and the append retried (default 60 s). */
  timeoutMs?: number;
}

export interface StreamStageStats {
  /** Appends answered (success or ALREADY_EXISTS). */
  appends: number;
  /** Appends sent again after a failure, at the same offset. */
  retries: number;
  /** Retries answered ALREADY_EXISTS: the earlier attempt had landed. */
  alreadyWritten: number;
  streamsCreated: number;
}

/** Keep each AppendRows request well under the API's 10 MB. */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
/** gRPC codes worth sending the same append again (the connection reopens by itself). */
const RETRYABLE = new Set([1, 4, 8, 10, 13, 14]); // CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE
const ALREADY_EXISTS = 6;
const NOT_FOUND = 5;
const OUT_OF_RANGE = 11;

interface Connection {
  connection: StreamConnection;
  writer: JsonWriter;
}

type Outcome = 'written' | 'retry' | 'new-stream';

export class StreamStageWriter {
  readonly stats: StreamStageStats = { appends: 0, retries: 0, alreadyWritten: 0, streamsCreated: 0 };
  private readonly opts: StreamStageWriterOptions;
  private client: WriterClient | undefined;
  /** This writer's COMMITTED stream, kept for its lifetime (CreateWriteStream is a quota'd call). */
  private streamName: string | undefined;
  private conn: Connection | undefined;
  /** Where the next append lands in the stream. */
  private nextOffset = 0;
  /** One append at a time: offsets are assigned in order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: StreamStageWriterOptions) {
    this.opts = opts;
  }

  private get destination(): string {
    return `projects/${this.opts.projectId}/datasets/${this.opts.datasetId}/tables/${this.opts.table}`;
  }

  /** Append rows (text values in `fields` order) so that each lands in the table (once, barring a new stream). */
  append(rows: readonly (readonly (string | null)[])[]): Promise<void> {
    const next = this.queue.then(async () => {
      for (const chunk of chunks(rows.map((r) => storageWriteRow(this.opts.fields, r)))) await this.appendChunk(chunk);
    });
    this.queue = next.catch(() => {});
    return next;
  }

  private async appendChunk(rows: StorageRow[]): Promise<void> {
    const attempts = this.opts.attempts ?? 8;
    let last: unknown;
    for (let attempt = 1; ; attempt++) {
      let outcome: Outcome;
      try {
        outcome = await this.tryAppend(await this.open(), rows);
      } catch (err) {
        if (!(err instanceof TransientError)) throw err;
        last = err.cause ?? err;
        outcome = 'retry';
      }
      if (outcome === 'written') {
        this.nextOffset += rows.length;
        this.stats.appends++;
        return;
      }
      if (outcome === 'new-stream') this.dropStream();
      if (attempt >= attempts) {
        throw new TransientError(
          `the Storage Write API did not take the micro-batch after ${attempts} attempts: ${describe(last)}`,
          { object: this.destination, step: 'stage' },
          last,
        );
      }
      this.stats.retries++;
      await sleep(Math.min(5000, 100 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
    }
  }

  /** One append at the writer's offset: written, or what to do next; a TransientError to retry, else terminal. */
  private async tryAppend(c: Connection, rows: StorageRow[]): Promise<Outcome> {
    let result: Awaited<ReturnType<ReturnType<JsonWriter['appendRows']>['getResult']>>;
    try {
      result = await withTimeout(c.writer.appendRows(rows, this.nextOffset).getResult(), this.opts.timeoutMs ?? 60_000);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      // No answer: it may still come on that connection, so a new one (same stream, same offset) decides.
      if (err instanceof AppendTimeout) this.closeConnection();
      if (err instanceof AppendTimeout || (typeof code === 'number' && RETRYABLE.has(code))) {
        throw new TransientError(describe(err), { object: this.destination, step: 'stage' }, err);
      }
      if (code === NOT_FOUND && (await storageErrorCodes(err)).includes('STREAM_NOT_FOUND')) return 'new-stream';
      throw await this.terminal(err, 'the Storage Write API refused the micro-batch');
    }
    const error = result.error;
    if (!error?.code) return 'written';
    if (error.code === ALREADY_EXISTS) {
      // An earlier attempt of this append landed and its answer was lost.
      this.stats.alreadyWritten++;
      return 'written';
    }
    if (error.code === OUT_OF_RANGE || /STREAM_FINALIZED|finalized/i.test(error.message ?? '')) return 'new-stream';
    const rowErrors = (result.rowErrors ?? []).map((e) => `row ${e.index}: ${e.message}`);
    throw new LoadError(
      `the Storage Write API refused the micro-batch: ${error.message}${rowErrors.length ? ` (${rowErrors.slice(0, 5).join('; ')})` : ''}`,
      { object: this.destination, step: 'stage' },
    );
  }

  private async terminal(err: unknown, what: string): Promise<SalesflowError> {
    const details = await storageErrorCodes(err);
    return new LoadError(
      `${what}: ${describe(err)}${details.length ? ` [${details.join(', ')}]` : ''}`,
      { object: this.destination, step: 'stage' },
      err,
    );
  }

  /** A connection to this writer's stream (the stream created on first use). */
  private async open(): Promise<Connection> {
    if (this.conn) return this.conn;
    const { managedwriter, adapt } = await import('@google-cloud/bigquery-storage');
    this.client ??= await createStorageWriterClient(this.opts.projectId, this.opts.endpoint, this.opts.restEmulated);
    if (this.streamName === undefined) {
      try {
        this.streamName = await this.client.createWriteStream({
          streamType: managedwriter.CommittedStream,
          destinationTable: this.destination,
        });
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'number' && RETRYABLE.has(code)) {
          throw new TransientError(`creating a write stream: ${describe(err)}`, { object: this.destination }, err);
        }
        throw await this.terminal(err, `cannot create a write stream on ${this.destination}`);
      }
      this.stats.streamsCreated++;
      this.nextOffset = 0;
    }
    const connection = await this.client.createStreamConnection({ streamId: this.streamName });
    // Without a listener a non-retryable connection error is an uncaught exception; each append's result reports it.
    connection.onConnectionError(() => {});
    const protoDescriptor = adapt.convertStorageSchemaToProto2Descriptor(
      adapt.convertBigQuerySchemaToStorageTableSchema({ fields: this.opts.fields.map((f) => ({ ...f })) }),
      'root',
    );
    this.conn = { connection, writer: new managedwriter.JSONWriter({ connection, protoDescriptor }) };
    return this.conn;
  }

  private closeConnection(): void {
    this.conn?.writer.close();
    this.conn?.connection.close();
    this.conn = undefined;
  }

  /** Give up this stream: the next append creates another and starts at offset 0. */
  private dropStream(): void {
    this.closeConnection();
    this.streamName = undefined;
  }

  async close(): Promise<void> {
    await this.queue;
    this.closeConnection();
    this.client?.close();
    this.client = undefined;
  }
}

class AppendTimeout extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppendTimeout(`no answer to the append within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The StorageError codes a failed call carries in its trailing metadata. */
async function storageErrorCodes(err: unknown): Promise<string[]> {
  const { managedwriter, protos } = await import('@google-cloud/bigquery-storage');
  try {
    const codes = protos.google.cloud.bigquery.storage.v1.StorageError.StorageErrorCode;
    return managedwriter
      .parseStorageErrors(err as Parameters<typeof managedwriter.parseStorageErrors>[0])
      .map((e) => (typeof e.code === 'number' ? codes[e.code] : String(e.code)));
  } catch {
    return [];
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rows cut into requests under MAX_REQUEST_BYTES (a row's size estimated from its values). */
function* chunks(rows: StorageRow[]): Generator<StorageRow[]> {
  let chunk: StorageRow[] = [];
  let bytes = 0;
  for (const row of rows) {
    let size = 16;
    for (const v of Object.values(row)) size += typeof v === 'string' ? Buffer.byteLength(v) + 4 : 10;
    if (chunk.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(row);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

/** A staged row (text values in `fields` order) as the JSONWriter takes it; NULLs are left out. */
export function storageWriteRow(fields: readonly BigQueryField[], values: readonly (string | null)[]): StorageRow {
  const row: StorageRow = {};
  fields.forEach((f, i) => {
    const v = values[i];
    if (v !== null && v !== undefined) row[f.name] = storageWriteValue(f, v);
  });
  return row;
}

/**
 * One value in the Storage Write API's encoding for its column type, from the
 * text form the warehouse uses everywhere (ISO dates and timestamps, decimal
 * numbers): the one codec of this path.
 */
export function storageWriteValue(
  field: Pick<BigQueryField, 'name' | 'type'>,
  text: string,
): string | number | boolean {
  switch (field.type) {
    case 'BOOL':
    case 'BOOLEAN':
      return text === 'true';
    case 'DATE': {
      const days = parseIsoDate(text);
      if (Number.isNaN(days)) throw new LoadError(`${field.name}: not a date: ${text}`, { field: field.name });
      return days;
    }
    case 'TIMESTAMP': {
      const ms = Date.parse(text);
      if (Number.isNaN(ms)) throw new LoadError(`${field.name}: not a timestamp: ${text}`, { field: field.name });
      // int64 microseconds, as a decimal string: exact, and never mistaken for milliseconds.
      return String(BigInt(ms) * 1000n);
    }
    default:
      // STRING, NUMERIC (a decimal string is what the API takes), INT64 (a decimal string stays exact past 2^53).
      return text;
  }
}
