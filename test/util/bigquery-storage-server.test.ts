/**
 * The Storage Write API test server as the real @google-cloud/bigquery-storage
 * client sees it (managedwriter and the raw BigQueryWriteClient), with the rows
 * read back through the BigQuery REST test server by the real BigQuery client.
 */
import { BigQuery } from '@google-cloud/bigquery';
import { adapt, BigQueryWriteClient, managedwriter, protos } from '@google-cloud/bigquery-storage';
import { PassThroughClient } from 'google-auth-library';
import protobuf from 'protobufjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBigQueryServer, startBigQueryServer } from './bigquery-server/index.ts';
import { type BigQueryStorageServer, startBigQueryStorageServer } from './bigquery-storage-server/index.ts';

type JsonRow = Record<string, string | number | null>;
type AppendResult = protos.google.cloud.bigquery.storage.v1.IAppendRowsResponse;
const { StorageError } = protos.google.cloud.bigquery.storage.v1;
const { WriterClient, JSONWriter, Writer, PendingStream, CommittedStream, DefaultStream } = managedwriter;

const PROJECT = 'storage-test';
const DATASET = 'ds';
const FIELDS = [
  { name: 'id', type: 'INT64', mode: 'REQUIRED' },
  { name: 'name', type: 'STRING', mode: 'NULLABLE' },
  { name: 'amount', type: 'NUMERIC', mode: 'NULLABLE', precision: '12', scale: '2' },
  { name: 'day', type: 'DATE', mode: 'NULLABLE' },
  { name: 'at', type: 'TIMESTAMP', mode: 'NULLABLE' },
];

let bqServer: RunningBigQueryServer;
let storage: BigQueryStorageServer;
let bq: BigQuery;
let writer: InstanceType<typeof WriterClient>;
let tableCount = 0;

beforeAll(async () => {
  bqServer = await startBigQueryServer({ projectId: PROJECT });
  storage = await startBigQueryStorageServer({ bigquery: bqServer });
  bq = new BigQuery({ projectId: PROJECT, apiEndpoint: bqServer.url, authClient: new PassThroughClient() });
  await bq.createDataset(DATASET);
  writer = new WriterClient(storage.clientOptions());
});

afterAll(async () => {
  writer?.close();
  await storage?.stop();
  await bqServer?.stop();
});

/** Connection-level errors other than UNAVAILABLE, which no test here expects unless it listens itself. */
const connectionErrors: Error[] = [];

afterEach(() => {
  storage.setFaults(undefined);
  expect(connectionErrors.splice(0)).toEqual([]);
});

/** A fresh table per test (order-independent), its `projects/…/tables/…` path. */
async function newTable(): Promise<string> {
  const tableId = `t${++tableCount}`;
  await bq.dataset(DATASET).createTable(tableId, { schema: { fields: FIELDS } });
  return `projects/${PROJECT}/datasets/${DATASET}/tables/${tableId}`;
}

/** `projects/P/datasets/D/tables/T` → `P.D.T` for SQL. */
const sqlName = (table: string) => `\`${table.replace(/^projects\/(.+)\/datasets\/(.+)\/tables\/(.+)$/, '$1.$2.$3')}\``;

async function ids(table: string): Promise<number[]> {
  const [rows] = await bq.query(`SELECT id FROM ${sqlName(table)} ORDER BY id`);
  return rows.map((r: { id: number }) => r.id);
}

/**
 * A StreamConnection without an 'error' listener throws a non-retryable
 * connection error as an uncaught exception: every connection needs one.
 */
async function connect(streamId: string, destinationTable?: string) {
  const connection = await writer.createStreamConnection({ streamId, destinationTable });
  connection.onConnectionError((e) => {
    if ((e as { code?: number }).code !== 14) connectionErrors.push(e);
  });
  return connection;
}

type StreamType = Parameters<InstanceType<typeof WriterClient>['createWriteStream']>[0]['streamType'];

/** A new stream and a JSONWriter whose descriptor comes from the stream's table schema (CreateWriteStream answers FULL). */
async function openJsonWriter(table: string, streamType: StreamType) {
  const stream = await writer.createWriteStreamFullResponse({ streamType, destinationTable: table });
  const connection = await connect(stream.name!);
  const protoDescriptor = adapt.convertStorageSchemaToProto2Descriptor(stream.tableSchema!, 'root');
  return { stream, connection, json: new JSONWriter({ connection, protoDescriptor }) };
}

function storageErrorOf(result: AppendResult) {
  const detail = result.error?.details?.[0];
  expect(detail?.type_url).toBe('type.googleapis.com/google.cloud.bigquery.storage.v1.StorageError');
  return StorageError.decode(detail!.value as Uint8Array);
}

/** BigDecimalByteStringEncoder: the unscaled value (scale 9) as minimal little-endian two's complement. */
function numericBytes(unscaled: bigint): Uint8Array {
  const out: number[] = [];
  let x = unscaled;
  for (;;) {
    const byte = Number(BigInt.asUintN(8, x));
    out.push(byte);
    x >>= 8n;
    if ((x === 0n && !(byte & 0x80)) || (x === -1n && byte & 0x80)) return Uint8Array.from(out);
  }
}

const rows = (from: number, n: number): JsonRow[] =>
  Array.from({ length: n }, (_, i) => ({ id: from + i, name: `r${from + i}` }));

describe('BigQuery Storage Write API test server', () => {
  it('COMMITTED stream: JSONWriter appends at offsets, each acked append is visible at once', async () => {
    const table = await newTable();
    const { stream, connection, json } = await openJsonWriter(table, CommittedStream);
    expect(stream.type).toBe('COMMITTED');
    expect(stream.tableSchema?.fields?.map((f) => [f.name, f.type, f.mode])).toEqual([
      ['id', 'INT64', 'REQUIRED'],
      ['name', 'STRING', 'NULLABLE'],
      ['amount', 'NUMERIC', 'NULLABLE'],
      ['day', 'DATE', 'NULLABLE'],
      ['at', 'TIMESTAMP', 'NULLABLE'],
    ]);
    const first = await json.appendRows(rows(0, 2), 0).getResult();
    expect(first.appendResult?.offset?.value).toBe('0');
    expect(first.writeStream).toBe(stream.name);
    expect(await ids(table)).toEqual([0, 1]);
    const second = await json.appendRows(rows(2, 3), 2).getResult();
    expect(second.appendResult?.offset?.value).toBe('2');
    // Without an offset the rows go to the end of the stream.
    const third = await json.appendRows(rows(5, 1)).getResult();
    expect(third.appendResult?.offset?.value).toBe('5');
    expect(await ids(table)).toEqual([0, 1, 2, 3, 4, 5]);
    connection.close();
  });

  it('offsets: ALREADY_EXISTS and OUT_OF_RANGE answered in band with a StorageError; the connection goes on', async () => {
    const table = await newTable();
    const { connection, json } = await openJsonWriter(table, CommittedStream);
    await json.appendRows(rows(0, 2), 0).getResult();

    const again = await json.appendRows(rows(100, 2), 0).getResult();
    expect(again.appendResult).toBeFalsy();
    expect(again.error?.code).toBe(6); // ALREADY_EXISTS
    expect(again.error?.message).toMatch(/expected offset 2, received 0/);
    expect(storageErrorOf(again)).toMatchObject({
      code: StorageError.StorageErrorCode.OFFSET_ALREADY_EXISTS,
      entity: connection.getStreamId(),
    });

    const beyond = await json.appendRows(rows(200, 1), 7).getResult();
    expect(beyond.error?.code).toBe(11); // OUT_OF_RANGE
    expect(storageErrorOf(beyond).code).toBe(StorageError.StorageErrorCode.OFFSET_OUT_OF_RANGE);

    const next = await json.appendRows(rows(2, 1), 2).getResult();
    expect(next.appendResult?.offset?.value).toBe('2');
    expect(await ids(table)).toEqual([0, 1, 2]);
    connection.close();
  });

  it('two connections racing for the same offset of one stream: one lands, the other is told ALREADY_EXISTS', async () => {
    const table = await newTable();
    const first = await openJsonWriter(table, CommittedStream);
    const second = await connect(first.stream.name!);
    const other = new JSONWriter({
      connection: second,
      protoDescriptor: adapt.convertStorageSchemaToProto2Descriptor(first.stream.tableSchema!, 'root'),
    });
    const results = await Promise.all([
      first.json.appendRows(rows(0, 2), 0).getResult(),
      other.appendRows(rows(10, 2), 0).getResult(),
    ]);
    expect(results.map((r) => r.error?.code ?? 'ok').sort()).toEqual([6, 'ok']);
    const winner = results[0].error ? [10, 11] : [0, 1];
    expect(await ids(table)).toEqual(winner);
    first.connection.close();
    second.close();
  });

  it('PENDING streams: invisible until finalize + batch commit, then all streams of the commit land together', async () => {
    const table = await newTable();
    const a = await openJsonWriter(table, PendingStream);
    const b = await openJsonWriter(table, PendingStream);
    await a.json.appendRows(rows(0, 3), 0).getResult();
    await b.json.appendRows(rows(10, 2), 0).getResult();
    expect(await ids(table)).toEqual([]);

    expect(await a.connection.finalize()).toMatchObject({ rowCount: '3' });
    // One stream still open: the commit refuses both, nothing lands.
    const refused = await writer.batchCommitWriteStream({
      parent: table,
      writeStreams: [a.stream.name!, b.stream.name!],
    });
    expect(refused.commitTime).toBeFalsy();
    expect(refused.streamErrors?.map((e) => [e.code, e.entity])).toEqual([['INVALID_STREAM_STATE', b.stream.name]]);
    expect(await ids(table)).toEqual([]);

    expect(await b.connection.finalize()).toMatchObject({ rowCount: '2' });
    const late = await connect(a.stream.name!);
    const afterFinalize = await new JSONWriter({
      connection: late,
      protoDescriptor: adapt.convertStorageSchemaToProto2Descriptor(a.stream.tableSchema!, 'root'),
    })
      .appendRows(rows(50, 1), 3)
      .getResult();
    expect(afterFinalize.error?.code).toBe(3);
    expect(storageErrorOf(afterFinalize).code).toBe(StorageError.StorageErrorCode.STREAM_FINALIZED);
    late.close();

    const committed = await writer.batchCommitWriteStream({
      parent: table,
      writeStreams: [a.stream.name!, b.stream.name!],
    });
    expect(committed.streamErrors).toEqual([]);
    expect(Number(committed.commitTime?.seconds)).toBeGreaterThan(0);
    expect(await ids(table)).toEqual([0, 1, 2, 10, 11]);
    const got = await writer.getWriteStream({ streamId: a.stream.name! });
    expect(got.commitTime?.seconds).toBe(committed.commitTime?.seconds);
    expect(got.tableSchema).toBeFalsy(); // BASIC view by default

    const twice = await writer.batchCommitWriteStream({ parent: table, writeStreams: [a.stream.name!] });
    expect(twice.streamErrors?.[0]?.code).toBe('STREAM_ALREADY_COMMITTED');
    expect(await ids(table)).toEqual([0, 1, 2, 10, 11]);
  });

  it('the _default stream: no offsets, visible on ack, at-least-once when a response is lost', async () => {
    const table = await newTable();
    const stream = await writer.getWriteStream({
      streamId: `${table}/streams/_default`,
      view: protos.google.cloud.bigquery.storage.v1.WriteStreamView.FULL,
    });
    expect(stream.type).toBe('COMMITTED');
    const connection = await connect(DefaultStream, table);
    const json = new JSONWriter({
      connection,
      protoDescriptor: adapt.convertStorageSchemaToProto2Descriptor(stream.tableSchema!, 'root'),
    });
    const ok = await json.appendRows(rows(0, 2)).getResult();
    expect(ok.appendResult).toBeTruthy();
    expect(ok.appendResult?.offset).toBeFalsy();
    expect(await ids(table)).toEqual([0, 1]);

    const withOffset = await json.appendRows(rows(5, 1), 2).getResult();
    expect(withOffset.error?.code).toBe(3);

    storage.setFaults({ lostResponse: 1, targets: ['append'] });
    const lost = await json
      .appendRows(rows(2, 1))
      .getResult()
      .catch((e) => e);
    expect(lost.code).toBe(14); // UNAVAILABLE: the client cannot tell whether it landed
    storage.setFaults(undefined);
    await json.appendRows(rows(2, 1)).getResult(); // the retry
    expect(await ids(table)).toEqual([0, 1, 2, 2]);
    connection.close();
  });

  it('a retry after a lost response, at the same offset, lands once (ALREADY_EXISTS tells the writer it is there)', async () => {
    const table = await newTable();
    const { connection, json } = await openJsonWriter(table, CommittedStream);
    const before = { ...storage.stats };
    storage.setFaults({ lostResponse: 1, targets: ['append'] });
    const lost = await json
      .appendRows(rows(0, 3), 0)
      .getResult()
      .catch((e) => e);
    expect(lost.code).toBe(14);
    expect(storage.stats.lostResponses - before.lostResponses).toBe(1);
    expect(storage.stats.appendsApplied - before.appendsApplied).toBe(1);
    storage.setFaults(undefined);
    const retry = await json.appendRows(rows(0, 3), 0).getResult(); // reconnects on its own
    expect(retry.error?.code).toBe(6);
    expect(await ids(table)).toEqual([0, 1, 2]);

    // UNAVAILABLE before anything is applied: the same retry lands the rows.
    storage.setFaults({ unavailable: 1, targets: ['append'] });
    const refused = await json
      .appendRows(rows(3, 2), 3)
      .getResult()
      .catch((e) => e);
    expect(refused.code).toBe(14);
    storage.setFaults(undefined);
    expect((await json.appendRows(rows(3, 2), 3).getResult()).appendResult?.offset?.value).toBe('3');
    expect(await ids(table)).toEqual([0, 1, 2, 3, 4]);
    connection.close();
  });

  it('under seeded faults, a writer that retries at its offsets lands every batch exactly once', async () => {
    const table = await newTable();
    const { connection, json } = await openJsonWriter(table, CommittedStream);
    const before = { ...storage.stats };
    storage.setFaults({ unavailable: 0.2, lostResponse: 0.2, targets: ['append'], seed: 7 });
    let attempts = 0;
    for (let batch = 0; batch < 20; batch++) {
      const offset = batch * 3;
      for (;;) {
        attempts++;
        const r = await json
          .appendRows(rows(offset, 3), offset)
          .getResult()
          .catch((e: { code?: number }) => ({ error: { code: e.code } }) as AppendResult);
        if (r.appendResult || r.error?.code === 6) break;
        expect(r.error?.code).toBe(14);
      }
    }
    storage.setFaults(undefined);
    const injected = storage.stats.injectedUnavailable - before.injectedUnavailable;
    const lost = storage.stats.lostResponses - before.lostResponses;
    expect(injected).toBeGreaterThan(0);
    expect(lost).toBeGreaterThan(0);
    expect(attempts).toBe(20 + injected + lost);
    expect(await ids(table)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    connection.close();
  });

  it('a batch commit whose response is lost is retried by the client and answered STREAM_ALREADY_COMMITTED; rows land once', async () => {
    const table = await newTable();
    const { stream, connection, json } = await openJsonWriter(table, PendingStream);
    await json.appendRows(rows(0, 4), 0).getResult();
    await connection.finalize();
    const before = storage.stats.commits;
    storage.setFaults({ lostResponse: 1, targets: ['commit'] });
    const res = await writer.batchCommitWriteStream({ parent: table, writeStreams: [stream.name!] });
    expect(storage.stats.commits - before).toBe(1);
    expect(res.streamErrors?.map((e) => e.code)).toEqual(['STREAM_ALREADY_COMMITTED']);
    const got = await writer.getWriteStream({ streamId: stream.name! });
    expect(got.commitTime).toBeTruthy(); // how a writer tells "already committed" from "never committed"
    expect(await ids(table)).toEqual([0, 1, 2, 3]);
  });

  it('TIMESTAMP as int64 microseconds, DATE as int32 days, NUMERIC as string or bytes read back exactly', async () => {
    const table = await newTable();
    const { connection, json } = await openJsonWriter(table, CommittedStream);
    const result = await json
      .appendRows(
        [
          { id: 1, amount: '12.34', day: new Date('2024-02-29T00:00:00Z'), at: new Date('2024-01-02T03:04:05.123Z') },
          { id: 2, amount: 5, day: 19782, at: '1704164645123456' },
          // The trap: milliseconds where microseconds belong land in January 1970.
          { id: 3, amount: '-0.5', day: -719162, at: 1704164645123 },
        ],
        0,
      )
      .getResult();
    expect(result.error).toBeFalsy();
    connection.close();

    // NUMERIC through BigDecimalByteStringEncoder bytes (unscaled at scale 9, little-endian two's complement).
    const bytesDescriptor = {
      name: 'Row',
      field: [
        { name: 'id', number: 1, type: 3 /* TYPE_INT64 */, label: 2 },
        { name: 'amount', number: 2, type: 12 /* TYPE_BYTES */, label: 1 },
      ],
    };
    const Row = protobuf.Type.fromJSON('Row', {
      fields: { id: { id: 1, type: 'int64' }, amount: { id: 2, type: 'bytes' } },
    });
    const stream = await writer.createWriteStream({ streamType: CommittedStream, destinationTable: table });
    const raw = await connect(stream);
    const bytesWriter = new Writer({ connection: raw, protoDescriptor: bytesDescriptor });
    const encoded = [
      Row.encode({ id: 4, amount: numericBytes(-123_450_000_000n) }).finish(),
      Row.encode({ id: 5, amount: numericBytes(9_999_999_999_990_000_000n) }).finish(),
    ];
    const viaBytes = await bytesWriter.appendRows({ serializedRows: encoded }, 0).getResult();
    expect(viaBytes.error).toBeFalsy();
    raw.close();

    const [got] = await bq.query(`SELECT id, amount, day, \`at\` FROM ${sqlName(table)} ORDER BY id`);
    const shown = got.map(
      (r: { id: number; amount: unknown; day: { value: string } | null; at: { value: string } | null }) => [
        r.id,
        r.amount === null ? null : String(r.amount),
        r.day?.value ?? null,
        r.at?.value ?? null,
      ],
    );
    expect(shown).toEqual([
      [1, '12.34', '2024-02-29', '2024-01-02T03:04:05.123Z'],
      [2, '5', '2024-02-29', '2024-01-02T03:04:05.123456000Z'],
      [3, '-0.5', '0001-01-01', '1970-01-20T17:22:44.645123000Z'],
      [4, '-123.45', null, null],
      [5, '9999999999.99', null, null],
    ]);
  });

  it('bad rows are answered with row_errors and nothing lands; an unknown field ends the connection with SCHEMA_MISMATCH_EXTRA_FIELDS', async () => {
    const table = await newTable();
    const { stream, connection, json } = await openJsonWriter(table, CommittedStream);
    const bad = await json
      .appendRows([{ id: 1 }, { name: 'no id' }, { id: 3, amount: '1.234' }, { id: 4, day: 9_999_999 }], 0)
      .getResult();
    expect(bad.error?.code).toBe(3);
    expect(bad.error?.message).toMatch(/^Errors found while processing rows/);
    expect(bad.rowErrors?.map((e) => [Number(e.index), e.code])).toEqual([
      [1, 'FIELDS_ERROR'],
      [2, 'FIELDS_ERROR'],
      [3, 'FIELDS_ERROR'],
    ]);
    expect(bad.rowErrors?.[1]?.message).toMatch(/more than 2 decimal places/);
    expect(await ids(table)).toEqual([]);
    const empty = await json.appendRows([], 0).getResult();
    expect(empty.error?.message).toMatch(/^Rows must be specified/);
    connection.close();

    const extended = adapt.convertStorageSchemaToProto2Descriptor(
      { fields: [...(stream.tableSchema!.fields ?? []), { name: 'nope', type: 'STRING', mode: 'NULLABLE' }] },
      'root',
    );
    const conn2 = await writer.createStreamConnection({ streamId: stream.name! });
    const seen: unknown[] = [];
    conn2.onConnectionError((e) => seen.push(e));
    const mismatch = await new JSONWriter({ connection: conn2, protoDescriptor: extended })
      .appendRows([{ id: 1, nope: 'x' }], 0)
      .getResult()
      .catch((e) => e);
    expect(mismatch.code).toBe(3);
    expect(mismatch.message).toMatch(/extra fields: 'nope'/);
    const [storageError] = managedwriter.parseStorageErrors(mismatch);
    expect(storageError).toMatchObject({
      code: StorageError.StorageErrorCode.SCHEMA_MISMATCH_EXTRA_FIELDS,
      errorMessage: 'Schema mismatch due to extra fields in user schema',
    });
    expect(seen).toHaveLength(1);
    conn2.close();

    const missing = await writer.getWriteStream({ streamId: `${table}/streams/nope` }).catch((e) => e);
    expect(missing.code).toBe(5); // NOT_FOUND
    expect(managedwriter.parseStorageErrors(missing)[0]?.code).toBe(StorageError.StorageErrorCode.STREAM_NOT_FOUND);
    const noTable = await writer
      .createWriteStream({ streamType: CommittedStream, destinationTable: `${table}x` })
      .catch((e) => e);
    expect(noTable.code).toBe(5);
    expect(managedwriter.parseStorageErrors(noTable)[0]?.code).toBe(StorageError.StorageErrorCode.TABLE_NOT_FOUND);
  });

  it('BUFFERED stream: rows become visible up to the offset FlushRows names; the raw BigQueryWriteClient works too', async () => {
    const table = await newTable();
    const raw = new BigQueryWriteClient(storage.clientOptions());
    const [stream] = await raw.createWriteStream({ parent: table, writeStream: { type: 'BUFFERED' } });
    expect(stream.type).toBe('BUFFERED');
    const connection = await connect(stream.name!);
    const json = new JSONWriter({
      connection,
      protoDescriptor: adapt.convertStorageSchemaToProto2Descriptor(stream.tableSchema!, 'root'),
    });
    await json.appendRows(rows(0, 3), 0).getResult();
    await json.appendRows(rows(3, 2), 3).getResult();
    expect(await ids(table)).toEqual([]);
    const [flushed] = await raw.flushRows({ writeStream: stream.name, offset: { value: 3 } });
    expect(flushed.offset).toBe('3');
    expect(await ids(table)).toEqual([0, 1, 2, 3]);
    const beyond = await raw.flushRows({ writeStream: stream.name, offset: { value: 9 } }).catch((e) => e);
    expect(beyond.code).toBe(11);
    await raw.flushRows({ writeStream: stream.name, offset: { value: 4 } });
    expect(await ids(table)).toEqual([0, 1, 2, 3, 4]);
    const [finalized] = await raw.finalizeWriteStream({ name: stream.name });
    expect(finalized.rowCount).toBe('5');
    const [again] = await raw.finalizeWriteStream({ name: stream.name });
    expect(again.rowCount).toBe('5');
    connection.close();
    await raw.close();
  });
});
