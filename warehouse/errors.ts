/** Warehouse errors: the SQL or request was refused (terminal) vs. try again (transient). */
import { EXIT_FAILURE, EXIT_USAGE, type ErrorContext, SalesflowError, TransientError } from '../shared/errors.ts';

/** The warehouse rejected a statement (syntax, unknown table, type error, constraint). */
export class QueryError extends SalesflowError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super(message, { code: 'QUERY', retry: 'terminal', context, cause, exitCode: EXIT_USAGE });
  }
}

/** A load or insert failed for a reason in the data or the request. */
export class LoadError extends SalesflowError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super(message, { code: 'LOAD', retry: 'terminal', context, cause, exitCode: EXIT_FAILURE });
  }
}

/** BigQuery error reasons worth a retry. */
const TRANSIENT_REASONS = new Set(['backendError', 'rateLimitExceeded', 'internalError', 'jobRateLimitExceeded']);

/** Map an error from the BigQuery client to a typed error (transient for 429/5xx). */
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
    ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN'].includes(String(e?.code))
  ) {
    return new TransientError(message, context, err);
  }
  return kind === 'query' ? new QueryError(message, context, err) : new LoadError(message, context, err);
}
