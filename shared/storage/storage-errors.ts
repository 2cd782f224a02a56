/**
 * Map what the GCS client and the filesystem throw to SalesflowErrors carrying
 * the object and whether a retry can help.
 */
import { ConflictError, type ErrorContext, SalesflowError, TransientError } from '../errors.ts';

const TRANSIENT_NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

/** HTTP status of a client error, if it has one. */
export function httpStatus(err: unknown): number | undefined {
  const e = err as { code?: unknown; status?: unknown; response?: { status?: unknown } } | undefined;
  for (const v of [e?.code, e?.status, e?.response?.status]) {
    if (typeof v === 'number' && v >= 100 && v < 600) return v;
    if (typeof v === 'string' && /^\d{3}$/.test(v)) return Number(v);
  }
  return undefined;
}

export function isNotFound(err: unknown): boolean {
  return httpStatus(err) === 404 || err instanceof NotFoundError || (err as { code?: unknown })?.code === 'ENOENT';
}

export function isPreconditionFailed(err: unknown): boolean {
  return httpStatus(err) === 412 || err instanceof PreconditionFailedError;
}

export function isTransient(err: unknown): boolean {
  if (err instanceof SalesflowError) return err.transient;
  const status = httpStatus(err);
  if (status !== undefined) return status === 408 || status === 429 || status >= 500;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  if (typeof e?.code === 'string' && TRANSIENT_NETWORK.has(e.code)) return true;
  if (typeof e?.message === 'string' && /socket hang up|network|ECONNRESET|premature close/i.test(e.message))
    return true;
  // The client's resumable session lost track of what the server holds; a fresh upload fixes it.
  if (typeof e?.message === 'string' && /Initiate a new upload/.test(e.message)) return true;
  // The client's own retries ran out on a retryable status: still transient, a later attempt may pass.
  if (typeof e?.message === 'string' && /^Retry (limit|total time limit) exceeded/.test(e.message)) return true;
  return e?.cause !== undefined && e.cause !== err ? isTransient(e.cause) : false;
}

/** The object's generation was not what the write asked for (GCS 412, or a local file that exists). */
export class PreconditionFailedError extends ConflictError {}

/** The object or bucket is not there. Terminal. */
export class NotFoundError extends SalesflowError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super(message, { code: 'NOT_FOUND', retry: 'terminal', context, cause });
  }
}

/** Credentials missing or not allowed. Terminal. */
export class PermissionError extends SalesflowError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super(message, { code: 'PERMISSION_DENIED', retry: 'terminal', context, cause });
  }
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Wrap any storage failure; SalesflowErrors pass through untouched. */
export function toStorageError(err: unknown, context: ErrorContext): SalesflowError {
  if (err instanceof SalesflowError) return err;
  const status = httpStatus(err);
  const msg = messageOf(err);
  const what = context.object ? `${context.step ?? 'access'} ${context.object}` : (context.step ?? 'storage');
  if (isNotFound(err)) return new NotFoundError(`${what}: not found (${msg})`, context, err);
  if (status === 412) return new PreconditionFailedError(`${what}: precondition failed (${msg})`, context);
  if (status === 401 || status === 403 || (err as { code?: unknown })?.code === 'EACCES')
    return new PermissionError(`${what}: permission denied (${msg})`, context, err);
  if (isTransient(err)) return new TransientError(`${what}: ${msg}`, context, err);
  return new SalesflowError(`${what}: ${msg}${status ? ` (HTTP ${status})` : ''}`, {
    code: 'STORAGE_FAILED',
    retry: 'terminal',
    context,
    cause: err,
  });
}
