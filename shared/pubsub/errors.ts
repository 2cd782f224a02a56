/**
 * gRPC errors from the Pub/Sub client as SalesflowErrors: transient when a
 * retry can help (unavailable, deadline, quota, aborted, internal), terminal
 * otherwise, with the resource named.
 */
import { type ErrorContext, SalesflowError, TransientError } from '../errors.ts';

/** gRPC status codes (google.rpc.Code) that a later attempt may not meet again. */
const TRANSIENT_CODES = new Set([4, 8, 10, 13, 14]);
export const GRPC_ALREADY_EXISTS = 6;

export function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function fromPubSubError(err: unknown, what: string, context: ErrorContext = {}): SalesflowError {
  if (err instanceof SalesflowError) return err;
  const message = `${what}: ${(err as Error)?.message ?? String(err)}`;
  const code = grpcCode(err);
  if (code !== undefined && TRANSIENT_CODES.has(code)) return new TransientError(message, context, err);
  return new SalesflowError(message, { code: 'PUBSUB', context, cause: err });
}
