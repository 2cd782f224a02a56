/**
 * Write streams and their semantics, as BigQuery documents them
 * (https://cloud.google.com/bigquery/docs/write-api):
 * - COMMITTED (and each table's `_default` stream): rows are visible once the append is acknowledged;
 * - PENDING: rows stay invisible until the stream is finalized and then committed by
 *   BatchCommitWriteStreams, atomically with every other stream of that commit;
 * - BUFFERED: rows become visible up to the offset FlushRows names;
 * - offsets: an append at an offset already written is ALREADY_EXISTS, one past the
 *   end is OUT_OF_RANGE, both answered in band; without an offset rows go to the end.
 *   The `_default` stream takes no offsets (at-least-once: a retried append lands twice);
 * - a finalized stream refuses appends; a stream commits once.
 * Every operation runs under one lock, so offset checks and the writes they allow cannot interleave.
 */
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { invalidArgument, storageError, type WriteApiError } from './errors.ts';

export type StreamType = 'COMMITTED' | 'PENDING' | 'BUFFERED';

/** Rows as column text values, with the columns they were decoded for (the table may gain columns later). */
export interface RowBatch {
  columns: readonly string[];
  rows: readonly (readonly (string | null)[])[];
}

export interface TableRef {
  projectId: string;
  datasetId: string;
  tableId: string;
  /** `projects/P/datasets/D/tables/T`. */
  path: string;
}

export interface WriteStreamState {
  name: string;
  table: TableRef;
  type: StreamType;
  isDefault: boolean;
  createTime: number;
  commitTime?: number;
  finalized: boolean;
  /** Rows appended: the offset the next append lands at. */
  length: number;
  /** Rows appended but not yet visible (PENDING: all of them; BUFFERED: those past `flushed`). */
  held: { offset: number; batch: RowBatch }[];
  /** BUFFERED: rows before this offset are visible. */
  flushed: number;
}

/** Where visible rows go: several tables' batches in one transaction. */
export type RowSink = (batches: readonly { table: TableRef; batch: RowBatch }[]) => Promise<number>;

export const DEFAULT_STREAM = '_default';

export function parseTablePath(path: string): TableRef | undefined {
  const m = /^projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)$/.exec(path);
  return m ? { projectId: m[1], datasetId: m[2], tableId: m[3], path } : undefined;
}

export function parseStreamPath(path: string): { table: TableRef; streamId: string } | undefined {
  const m = /^(projects\/[^/]+\/datasets\/[^/]+\/tables\/[^/]+)\/streams\/([^/]+)$/.exec(path);
  const table = m ? parseTablePath(m[1]) : undefined;
  return m && table ? { table, streamId: m[2] } : undefined;
}

export class WriteStreams {
  private readonly streams = new Map<string, WriteStreamState>();
  private lock: Promise<unknown> = Promise.resolve();
  private readonly sink: RowSink;

  constructor(sink: RowSink) {
    this.sink = sink;
  }

  /** Run `fn` alone: no other stream operation starts until it settles. */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.lock.then(fn, fn);
    this.lock = next.catch(() => {});
    return next;
  }

  create(table: TableRef, type: StreamType, now: number): WriteStreamState {
    const name = `${table.path}/streams/${randomBytes(18).toString('base64url')}`;
    return this.add(name, table, type, false, now);
  }

  /** The stream named, or the table's `_default` stream (made on first use; `tableCreated` says when its table was). */
  get(name: string, tableCreated: (table: TableRef) => number | undefined): WriteStreamState {
    const existing = this.streams.get(name);
    if (existing) return existing;
    const parsed = parseStreamPath(name);
    const created = parsed && parsed.streamId === DEFAULT_STREAM ? tableCreated(parsed.table) : undefined;
    if (parsed === undefined || created === undefined) {
      throw storageError(grpc.status.NOT_FOUND, 'STREAM_NOT_FOUND', name, 'Requested entity was not found.');
    }
    return this.add(name, parsed.table, 'COMMITTED', true, created);
  }

  private add(name: string, table: TableRef, type: StreamType, isDefault: boolean, created: number): WriteStreamState {
    const state: WriteStreamState = {
      name,
      table,
      type,
      isDefault,
      createTime: created,
      // COMMITTED streams (and `_default`) report their creation as their commit time.
      commitTime: type === 'PENDING' ? undefined : created,
      finalized: false,
      length: 0,
      held: [],
      flushed: 0,
    };
    this.streams.set(name, state);
    return state;
  }

  /**
   * Append rows at `offset` (or at the end). Returns the offset of the first row
   * (undefined on the `_default` stream); throws the in-band error otherwise.
   * Call under `exclusive`.
   */
  async append(stream: WriteStreamState, batch: RowBatch, offset: number | undefined): Promise<number | undefined> {
    const n = batch.rows.length;
    if (stream.isDefault) {
      if (offset !== undefined) {
        throw invalidArgument('Offset is not supported on the default stream.', stream.name);
      }
      await this.sink([{ table: stream.table, batch }]);
      return undefined;
    }
    if (stream.finalized) {
      throw storageError(grpc.status.INVALID_ARGUMENT, 'STREAM_FINALIZED', stream.name, 'Stream is finalized.');
    }
    const at = offset ?? stream.length;
    if (at < stream.length) {
      throw storageError(
        grpc.status.ALREADY_EXISTS,
        'OFFSET_ALREADY_EXISTS',
        stream.name,
        `The offset is within stream, expected offset ${stream.length}, received ${at}`,
      );
    }
    if (at > stream.length) {
      throw storageError(
        grpc.status.OUT_OF_RANGE,
        'OFFSET_OUT_OF_RANGE',
        stream.name,
        `The offset is beyond stream, expected offset ${stream.length}, received ${at}`,
      );
    }
    if (stream.type === 'COMMITTED') await this.sink([{ table: stream.table, batch }]);
    else stream.held.push({ offset: at, batch });
    stream.length += n;
    return at;
  }

  /** Call under `exclusive`. Finalizing twice answers the same row count. */
  finalize(stream: WriteStreamState): number {
    if (stream.isDefault) {
      throw invalidArgument('FinalizeWriteStream is not supported on the default stream.', stream.name);
    }
    stream.finalized = true;
    return stream.length;
  }

  /** Make a BUFFERED stream's rows up to `offset` (inclusive; default: all) visible. Call under `exclusive`. */
  async flush(stream: WriteStreamState, offset: number | undefined): Promise<{ offset: number; rows: number }> {
    if (stream.type !== 'BUFFERED') {
      throw storageError(
        grpc.status.INVALID_ARGUMENT,
        'INVALID_STREAM_TYPE',
        stream.name,
        `FlushRows is only supported on BUFFERED streams, this one is ${stream.isDefault ? 'the default stream' : stream.type}.`,
      );
    }
    const last = offset ?? stream.length - 1;
    if (last >= stream.length) {
      throw storageError(
        grpc.status.OUT_OF_RANGE,
        'OFFSET_OUT_OF_RANGE',
        stream.name,
        `The offset is beyond stream, expected offset below ${stream.length}, received ${last}`,
      );
    }
    const batches: RowBatch[] = [];
    const keep: WriteStreamState['held'] = [];
    for (const h of stream.held) {
      const end = h.offset + h.batch.rows.length;
      if (end <= last + 1) batches.push(h.batch);
      else if (h.offset > last) keep.push(h);
      else {
        const cut = last + 1 - h.offset;
        batches.push({ columns: h.batch.columns, rows: h.batch.rows.slice(0, cut) });
        keep.push({ offset: last + 1, batch: { columns: h.batch.columns, rows: h.batch.rows.slice(cut) } });
      }
    }
    const rows = await this.sink(batches.map((batch) => ({ table: stream.table, batch })));
    stream.held = keep;
    stream.flushed = Math.max(stream.flushed, last + 1);
    return { offset: last, rows };
  }

  /**
   * Commit finalized PENDING streams of one table, all or none: any stream that
   * cannot commit is reported and nothing lands. Call under `exclusive`.
   */
  async batchCommit(
    table: TableRef,
    names: readonly string[],
    now: number,
  ): Promise<{ ok: true; rows: number } | { ok: false; errors: WriteApiError[] }> {
    const errors: WriteApiError[] = [];
    const streams: WriteStreamState[] = [];
    for (const name of names) {
      const s = this.streams.get(name);
      if (!s || s.table.path !== table.path) {
        errors.push(storageError(grpc.status.NOT_FOUND, 'STREAM_NOT_FOUND', name, 'Stream is not found.'));
      } else if (s.type !== 'PENDING') {
        errors.push(
          storageError(grpc.status.INVALID_ARGUMENT, 'INVALID_STREAM_TYPE', name, 'Only PENDING streams commit.'),
        );
      } else if (s.commitTime !== undefined) {
        errors.push(
          storageError(grpc.status.ALREADY_EXISTS, 'STREAM_ALREADY_COMMITTED', name, 'Stream is already committed.'),
        );
      } else if (!s.finalized) {
        errors.push(
          storageError(grpc.status.FAILED_PRECONDITION, 'INVALID_STREAM_STATE', name, 'Stream is not finalized.'),
        );
      } else streams.push(s);
    }
    if (errors.length > 0) return { ok: false, errors };
    const rows = await this.sink(streams.flatMap((s) => s.held.map((h) => ({ table: s.table, batch: h.batch }))));
    for (const s of streams) {
      s.commitTime = now;
      s.held = [];
    }
    return { ok: true, rows };
  }
}
