/** Errors from the BigQuery client as typed errors: transient (retry) or terminal (the SQL, data or request). */
import { type ErrorContext, LoadError, QueryError, SalesflowError, TransientError } from '../errors.ts';

/** BigQuery error reasons worth a retry. */
const TRANSIENT_REASONS = new Set(['backendError', 'rateLimitExceeded', 'internalError', 'jobRateLimitExceeded']);

/**
 * BigQuery aborted a transaction (or a DML statement) because another writer
 * changed a table it changes: "Transaction is aborted due to concurrent update
 * against table …", "Could not serialize access to table … due to concurrent
 * update". It had no effect; running it again is safe.
 */
export function isTransactionConflict(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /due to concurrent update/i.test(message);
}

/** Map an error from the BigQuery client to a typed error (transient for 429/5xx and aborted transactions). */
export function fromBigQueryError(err: unknown, context: ErrorContext, kind: 'query' | 'load' = 'query'): Error {
  // Already typed (e.g. a nested call's error): its retryability stands.
  if (err instanceof SalesflowError) return err;
  const e = err as { code?: number | string; message?: string; errors?: { reason?: string; message?: string }[] };
  const message = e?.message ?? String(err);
  const status = typeof e?.code === 'number' ? e.code : undefined;
  const reasons = (e?.errors ?? []).map((x) => x.reason ?? '');
  if (
    (status !== undefined && (status === 429 || status >= 500)) ||
    reasons.some((r) => TRANSIENT_REASONS.has(r)) ||
    ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN'].includes(String(e?.code)) ||
    isTransactionConflict(err)
  ) {
    return new TransientError(message, context, err);
  }
  return kind === 'query' ? new QueryError(message, context, err) : new LoadError(message, context, err);
}
