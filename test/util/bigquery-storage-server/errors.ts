/**
 * Errors as the Storage Write API reports them, in its two channels:
 * - in band: an AppendRowsResponse whose `error` is a google.rpc.Status (code,
 *   message, a StorageError packed in `details`), for a request the stream
 *   refused but the connection survives (offsets, finalized stream, bad rows);
 * - out of band: the gRPC call or connection ends with a status whose trailing
 *   metadata `google.cloud.bigquery.storage.v1.storageerror-bin` carries the
 *   StorageError (what the client's `parseStorageErrors(err)` reads).
 * Messages end with " Entity: <stream or table>", as the service's do.
 */
import * as grpc from '@grpc/grpc-js';
import { V1, writeApiProtos } from './protos.ts';

export type StorageErrorCode =
  | 'TABLE_NOT_FOUND'
  | 'STREAM_ALREADY_COMMITTED'
  | 'STREAM_NOT_FOUND'
  | 'INVALID_STREAM_TYPE'
  | 'INVALID_STREAM_STATE'
  | 'STREAM_FINALIZED'
  | 'SCHEMA_MISMATCH_EXTRA_FIELDS'
  | 'OFFSET_ALREADY_EXISTS'
  | 'OFFSET_OUT_OF_RANGE';

export interface StorageErrorBody {
  code: StorageErrorCode;
  entity: string;
  errorMessage: string;
}

export class WriteApiError extends Error {
  readonly code: grpc.status;
  readonly storageError?: StorageErrorBody;
  constructor(code: grpc.status, message: string, storageError?: StorageErrorBody) {
    super(message);
    this.code = code;
    this.storageError = storageError;
  }
}

const STORAGE_ERROR_METADATA = `${V1.toLowerCase()}.storageerror-bin`;

/** An error whose StorageError names what failed; the message gets the service's " Entity: …" suffix. */
export function storageError(
  code: grpc.status,
  storageCode: StorageErrorCode,
  entity: string,
  message: string,
  storageMessage = message,
): WriteApiError {
  return new WriteApiError(code, `${message} Entity: ${entity}`, {
    code: storageCode,
    entity,
    errorMessage: storageMessage,
  });
}

export function invalidArgument(message: string, entity?: string): WriteApiError {
  return new WriteApiError(grpc.status.INVALID_ARGUMENT, entity ? `${message} Entity: ${entity}` : message);
}

function encodeStorageError(body: StorageErrorBody): Buffer {
  const type = writeApiProtos().storageError;
  return Buffer.from(type.encode(type.fromObject(body)).finish());
}

/** The status a failed call or broken AppendRows connection ends with. */
export function toServiceError(err: WriteApiError): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  if (err.storageError) metadata.add(STORAGE_ERROR_METADATA, encodeStorageError(err.storageError));
  return { code: err.code, details: err.message, metadata };
}

/** The google.rpc.Status of an in-band AppendRowsResponse error. */
export function toRpcStatus(err: WriteApiError) {
  return {
    code: err.code,
    message: err.message,
    details: err.storageError
      ? // protobufjs predefines google.protobuf.Any with its proto field name, type_url.
        [{ type_url: `type.googleapis.com/${V1}.StorageError`, value: encodeStorageError(err.storageError) }]
      : [],
  };
}
