/**
 * A BigQuery Storage Write API server (google.cloud.bigquery.storage.v1.BigQueryWrite
 * over gRPC) for tests: the real @google-cloud/bigquery-storage client (its
 * managedwriter — WriterClient, JSONWriter, StreamConnection — and the raw
 * BigQueryWriteClient) writes through it into the tables of a BigQuery REST test
 * server, so queries through @google-cloud/bigquery see the rows.
 *
 * RPCs: CreateWriteStream (COMMITTED, PENDING, BUFFERED), AppendRows (proto rows
 * decoded with the writer's ProtoSchema), GetWriteStream, FinalizeWriteStream,
 * BatchCommitWriteStreams, FlushRows; stream semantics in streams.ts, value
 * encodings in writer-schema.ts, error channels in errors.ts.
 *
 * Fault injection (seeded, so a failing run replays): `unavailable` answers a
 * share of calls UNAVAILABLE before doing anything; `lostResponse` applies a
 * share of them and then loses the answer (an AppendRows connection breaks with
 * UNAVAILABLE, a unary call fails with it) — what a client retry must survive.
 */
import * as grpc from '@grpc/grpc-js';
import type { managedwriter } from '@google-cloud/bigquery-storage';
import { PassThroughClient } from 'google-auth-library';
import type { RunningBigQueryServer } from '../bigquery-server/index.ts';
import type { BqField } from '../bigquery-server/encode.ts';
import { BqHttpError } from '../bigquery-server/errors.ts';
import { seededChance } from '../seeded-random.ts';
import { invalidArgument, storageError, toRpcStatus, toServiceError, WriteApiError } from './errors.ts';
import { writeApiProtos } from './protos.ts';
import {
  type RowBatch,
  type StreamType,
  type TableRef,
  type WriteStreamState,
  WriteStreams,
  parseTablePath,
} from './streams.ts';
import { WriterSchema } from './writer-schema.ts';

/** Which calls faults hit: appends, BatchCommitWriteStreams, FlushRows, FinalizeWriteStream. */
export type FaultTarget = 'append' | 'commit' | 'flush' | 'finalize';

export interface StorageFaults {
  /** Share (0..1) of targeted calls answered UNAVAILABLE before anything is applied. */
  unavailable?: number;
  /** Share (0..1) of targeted calls applied whose answer is lost (connection broken / UNAVAILABLE). */
  lostResponse?: number;
  /** Default: append, commit and flush (finalize is opt-in). */
  targets?: readonly FaultTarget[];
  seed?: number;
}

export interface StorageServerStats {
  /** AppendRows requests received. */
  appendRequests: number;
  /** Appends that wrote rows (whether or not their answer reached the client). */
  appendsApplied: number;
  rowsAppended: number;
  /** Rows made visible in tables: COMMITTED and `_default` appends, batch commits, flushes. */
  rowsCommitted: number;
  /** Successful BatchCommitWriteStreams calls. */
  commits: number;
  streamsCreated: number;
  injectedUnavailable: number;
  lostResponses: number;
}

export interface StorageServerOptions {
  /** The BigQuery REST test server whose tables the rows land in. */
  bigquery: RunningBigQueryServer;
  port?: number;
  host?: string;
  faults?: StorageFaults;
  /** One line per call on stderr. */
  log?: boolean;
}

/** WriterClient and BigQueryWriteClient take the same (google-gax) client options. */
export type WriteClientOptions = NonNullable<ConstructorParameters<typeof managedwriter.WriterClient>[0]>;

export interface BigQueryStorageServer {
  /** `host:port` of the gRPC endpoint. */
  readonly endpoint: string;
  readonly host: string;
  readonly port: number;
  readonly stats: StorageServerStats;
  /** Fresh client options: insecure channel to this server, no Google credentials looked up. */
  clientOptions(): WriteClientOptions;
  setFaults(faults: StorageFaults | undefined): void;
  stop(): Promise<void>;
}

const DEFAULT_TARGETS: readonly FaultTarget[] = ['append', 'commit', 'flush'];

const STORAGE_TYPE: Record<string, string> = {
  STRING: 'STRING',
  INT64: 'INT64',
  FLOAT64: 'DOUBLE',
  BOOL: 'BOOL',
  NUMERIC: 'NUMERIC',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
};

/** Requests as proto-loader hands them over (camelCase, int64 as strings, enums by name). */
interface Int64Value {
  value?: string;
}
interface AppendRowsRequest {
  writeStream?: string;
  offset?: Int64Value;
  protoRows?: { writerSchema?: { protoDescriptor?: unknown }; rows?: { serializedRows?: Uint8Array[] } };
}
interface StreamRequest {
  name?: string;
  view?: string;
  writeStream?: string;
  offset?: Int64Value;
}
interface TableRequest {
  parent?: string;
  writeStream?: { type?: string };
  writeStreams?: string[];
}

export async function startBigQueryStorageServer(opts: StorageServerOptions): Promise<BigQueryStorageServer> {
  const bq = opts.bigquery;
  const { service } = writeApiProtos();
  const stats: StorageServerStats = {
    appendRequests: 0,
    appendsApplied: 0,
    rowsAppended: 0,
    rowsCommitted: 0,
    commits: 0,
    streamsCreated: 0,
    injectedUnavailable: 0,
    lostResponses: 0,
  };
  let faults: StorageFaults = opts.faults ?? {};
  let chance = seededChance(faults.seed ?? 1);
  const targeted = (t: FaultTarget) => (faults.targets ?? DEFAULT_TARGETS).includes(t);
  const injectUnavailable = (t: FaultTarget) => {
    if (!targeted(t) || !chance(faults.unavailable)) return false;
    stats.injectedUnavailable++;
    return true;
  };
  const loseResponse = (t: FaultTarget) => {
    if (!targeted(t) || !chance(faults.lostResponse)) return false;
    stats.lostResponses++;
    return true;
  };
  const unavailable = (what: string) =>
    new WriteApiError(grpc.status.UNAVAILABLE, `The service is currently unavailable (injected fault: ${what}).`);

  const streams = new WriteStreams(async (batches) => {
    const n = await bq.server.insertRowBatches(
      batches.map(({ table, batch }) => ({
        datasetId: table.datasetId,
        tableId: table.tableId,
        columns: batch.columns,
        rows: batch.rows,
      })),
    );
    stats.rowsCommitted += n;
    return n;
  });

  const log = (line: string) => {
    if (opts.log) process.stderr.write(`bigquery-storage-server: ${line}\n`);
  };

  /** The table's columns, or NOT_FOUND as the service reports a missing table. */
  function tableColumns(table: TableRef): BqField[] {
    if (table.projectId !== bq.projectId) {
      throw storageError(grpc.status.NOT_FOUND, 'TABLE_NOT_FOUND', table.path, 'Requested entity was not found.');
    }
    try {
      return bq.server.tableFields(table.datasetId, table.tableId);
    } catch (err) {
      if (err instanceof BqHttpError && err.status === 404) {
        throw storageError(grpc.status.NOT_FOUND, 'TABLE_NOT_FOUND', table.path, 'Requested entity was not found.');
      }
      throw err;
    }
  }

  const tableCreated = (table: TableRef): number | undefined => {
    try {
      tableColumns(table);
      return bq.server.tableCreationTime(table.datasetId, table.tableId);
    } catch {
      return undefined;
    }
  };

  function streamResource(s: WriteStreamState, full: boolean) {
    return {
      name: s.name,
      type: s.type,
      createTime: timestamp(s.createTime),
      ...(s.commitTime !== undefined ? { commitTime: timestamp(s.commitTime) } : {}),
      ...(full ? { tableSchema: storageSchema(tableColumns(s.table)) } : {}),
      writeMode: 'INSERT',
      location: 'US',
    };
  }

  /** Unary handler: WriteApiErrors become their gRPC status, anything else INTERNAL. */
  function unary<Req>(name: string, fn: (req: Req) => Promise<unknown>) {
    return (call: grpc.ServerUnaryCall<Req, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      log(`${name} ${JSON.stringify(call.request)}`);
      fn(call.request).then(
        (res) => callback(null, res),
        (err) => callback(toServiceError(asWriteApiError(err))),
      );
    };
  }

  const handlers: grpc.UntypedServiceImplementation = {
    CreateWriteStream: unary('CreateWriteStream', async (req: TableRequest) => {
      const table = parseTablePath(req.parent ?? '');
      if (!table) throw invalidArgument(`Invalid parent: ${req.parent}`);
      const type = req.writeStream?.type as StreamType | undefined;
      if (type !== 'COMMITTED' && type !== 'PENDING' && type !== 'BUFFERED') {
        throw invalidArgument(`Unsupported write stream type: ${type ?? 'TYPE_UNSPECIFIED'}`, table.path);
      }
      tableColumns(table);
      const s = await streams.exclusive(() => streams.create(table, type, Date.now()));
      stats.streamsCreated++;
      return streamResource(s, true);
    }),

    GetWriteStream: unary('GetWriteStream', async (req: StreamRequest) => {
      const s = await streams.exclusive(() => streams.get(req.name ?? '', tableCreated));
      return streamResource(s, req.view === 'FULL');
    }),

    FinalizeWriteStream: unary('FinalizeWriteStream', async (req: StreamRequest) => {
      if (injectUnavailable('finalize')) throw unavailable('FinalizeWriteStream');
      const rowCount = await streams.exclusive(() => streams.finalize(streams.get(req.name ?? '', tableCreated)));
      if (loseResponse('finalize')) throw unavailable('FinalizeWriteStream response lost');
      return { rowCount: String(rowCount) };
    }),

    FlushRows: unary('FlushRows', async (req: StreamRequest) => {
      if (injectUnavailable('flush')) throw unavailable('FlushRows');
      const offset = req.offset?.value === undefined ? undefined : Number(req.offset.value);
      const r = await streams.exclusive(() => streams.flush(streams.get(req.writeStream ?? '', tableCreated), offset));
      if (loseResponse('flush')) throw unavailable('FlushRows response lost');
      return { offset: String(r.offset) };
    }),

    BatchCommitWriteStreams: unary('BatchCommitWriteStreams', async (req: TableRequest) => {
      const table = parseTablePath(req.parent ?? '');
      if (!table) throw invalidArgument(`Invalid parent: ${req.parent}`);
      const names = req.writeStreams ?? [];
      if (names.length === 0) throw invalidArgument('No write streams to commit.', table.path);
      tableColumns(table);
      if (injectUnavailable('commit')) throw unavailable('BatchCommitWriteStreams');
      const now = Date.now();
      const r = await streams.exclusive(() => streams.batchCommit(table, names, now));
      if (!r.ok) return { streamErrors: r.errors.map((e) => e.storageError) };
      stats.commits++;
      if (loseResponse('commit')) throw unavailable('BatchCommitWriteStreams response lost');
      return { commitTime: timestamp(now), streamErrors: [] };
    }),

    AppendRows: (call: grpc.ServerDuplexStream<AppendRowsRequest, unknown>) => {
      let streamName: string | undefined;
      let schema: { key: string; writer: WriterSchema } | undefined;
      let broken = false;
      let queue: Promise<void> = Promise.resolve();

      /** End the connection with a status (the client's pending appends fail with it). */
      const breakWith = (err: WriteApiError) => {
        broken = true;
        log(`AppendRows ends: ${grpc.status[err.code]} ${err.message}`);
        call.emit('error', toServiceError(err));
      };

      const handle = async (req: AppendRowsRequest) => {
        if (broken) return;
        stats.appendRequests++;
        const name: string = req.writeStream || streamName || '';
        if (!name) return breakWith(invalidArgument('The first AppendRowsRequest must name a write_stream.'));
        if (streamName !== undefined && name !== streamName) {
          return breakWith(invalidArgument(`One connection writes one stream (${streamName}), not ${name}.`));
        }
        streamName = name;
        if (injectUnavailable('append')) return breakWith(unavailable('AppendRows'));
        let stream: WriteStreamState;
        try {
          stream = await streams.exclusive(() => streams.get(name, tableCreated));
          const descriptor = req.protoRows?.writerSchema?.protoDescriptor;
          if (descriptor) {
            const key = JSON.stringify(descriptor);
            if (schema?.key !== key)
              schema = { key, writer: new WriterSchema(descriptor, tableColumns(stream.table), name) };
          }
          if (!schema) throw invalidArgument('The first AppendRowsRequest must carry proto_rows.writer_schema.', name);
        } catch (err) {
          return breakWith(asWriteApiError(err));
        }
        const answer = (body: Record<string, unknown>) => {
          if (!broken && !call.cancelled) call.write({ writeStream: name, ...body });
        };
        const serialized: Uint8Array[] = req.protoRows?.rows?.serializedRows ?? [];
        if (serialized.length === 0)
          return answer({ error: toRpcStatus(invalidArgument('Rows must be specified.', name)) });
        const decoded = schema.writer.decode(serialized);
        if (!decoded.ok) {
          const message =
            'Errors found while processing rows. Please refer to the row_errors field for details. The list may not be complete because of the size limitations.';
          return answer({
            error: toRpcStatus(invalidArgument(message, name)),
            rowErrors: decoded.rowErrors.map((e) => ({
              index: String(e.index),
              code: 'FIELDS_ERROR',
              message: e.message,
            })),
          });
        }
        const batch: RowBatch = { columns: schema.writer.columns, rows: decoded.rows };
        const offset = req.offset?.value === undefined ? undefined : Number(req.offset.value);
        let at: number | undefined;
        try {
          at = await streams.exclusive(() => streams.append(stream, batch, offset));
        } catch (err) {
          return answer({ error: toRpcStatus(asWriteApiError(err)) });
        }
        stats.appendsApplied++;
        stats.rowsAppended += decoded.rows.length;
        if (loseResponse('append')) return breakWith(unavailable('AppendRows response lost'));
        answer({ appendResult: at === undefined ? {} : { offset: { value: String(at) } } });
      };

      // Requests are answered in order, one at a time, as the service does per connection.
      call.on('data', (req: AppendRowsRequest) => {
        log(
          `AppendRows ${req.writeStream || streamName} offset=${req.offset?.value ?? '-'} rows=${req.protoRows?.rows?.serializedRows?.length ?? 0}`,
        );
        queue = queue.then(() => handle(req)).catch((err) => breakWith(asWriteApiError(err)));
      });
      call.on('end', () => {
        queue = queue.then(() => {
          if (!broken) call.end();
        });
      });
      call.on('cancelled', () => {
        broken = true;
      });
    },
  };

  const server = new grpc.Server();
  server.addService(service, handlers);
  const host = opts.host ?? '127.0.0.1';
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${opts.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );

  return {
    endpoint: `${host}:${port}`,
    host,
    port,
    stats,
    clientOptions: () => ({
      projectId: bq.projectId,
      apiEndpoint: host,
      port,
      sslCreds: grpc.credentials.createInsecure(),
      // With sslCreds google-gax asks the auth client only for its universe domain; without one
      // it looks for Application Default Credentials, probing the GCE metadata server. The cast
      // bridges google-auth-library 11 (ours) and 10 (google-gax's): same class, other major.
      authClient: new PassThroughClient() as unknown as WriteClientOptions['authClient'],
    }),
    setFaults(f) {
      faults = f ?? {};
      chance = seededChance(faults.seed ?? 1);
    },
    // Open AppendRows connections would hold a graceful shutdown forever.
    stop: async () => server.forceShutdown(),
  };
}

function asWriteApiError(err: unknown): WriteApiError {
  if (err instanceof WriteApiError) return err;
  return new WriteApiError(grpc.status.INTERNAL, err instanceof Error ? err.message : String(err));
}

function timestamp(ms: number) {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

/** A table's schema as the Storage API's TableSchema (type and mode enums by name). */
function storageSchema(columns: readonly BqField[]) {
  return {
    fields: columns.map((c) => ({
      name: c.name,
      type: STORAGE_TYPE[c.type] ?? 'TYPE_UNSPECIFIED',
      mode: c.mode ?? 'NULLABLE',
      ...(c.description ? { description: c.description } : {}),
      ...(c.precision ? { precision: String(c.precision) } : {}),
      ...(c.scale ? { scale: String(c.scale) } : {}),
    })),
  };
}
