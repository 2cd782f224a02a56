/**
 * Typed errors. Every error the tool raises on purpose is a SalesflowError: it
 * carries where it happened (file, line, field, object, step) and whether a retry
 * can help (`transient`) or not (`terminal`). The CLI maps them to exit codes.
 */

export type Retryability = 'transient' | 'terminal';

export interface ErrorContext {
  file?: string;
  line?: number;
  field?: string;
  value?: string;
  object?: string;
  step?: string;
  [key: string]: unknown;
}

/** Exit codes: 1 = the job failed, 2 = the user asked for something invalid. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_PARTIAL = 3;

export class SalesflowError extends Error {
  readonly code: string;
  readonly retry: Retryability;
  readonly context: ErrorContext;
  readonly exitCode: number;

  constructor(
    message: string,
    opts: { code?: string; retry?: Retryability; context?: ErrorContext; cause?: unknown; exitCode?: number } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = opts.code ?? 'SALESFLOW_ERROR';
    this.retry = opts.retry ?? 'terminal';
    this.context = opts.context ?? {};
    this.exitCode = opts.exitCode ?? EXIT_FAILURE;
  }

  get transient(): boolean {
    return this.retry === 'transient';
  }

  /** "file:line field" prefix, for messages people read. */
  get where(): string {
    return formatWhere(this.context);
  }
}

/** Invalid flags, values or arguments: exit code 2. */
export class UsageError extends SalesflowError {
  constructor(message: string, context: ErrorContext = {}) {
    super(message, { code: 'USAGE', retry: 'terminal', context, exitCode: EXIT_USAGE });
  }
}

/** Bad input data (layout, row, field). Terminal: the same bytes fail the same way. */
export class InputError extends SalesflowError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super(message, { code: 'BAD_INPUT', retry: 'terminal', context, cause });
  }
}

/** Output exists and --force was not given, etc. */
export class ConflictError extends SalesflowError {
  constructor(message: string, context: ErrorContext = {}) {
    super(message, { code: 'CONFLICT', retry: 'terminal', context, exitCode: EXIT_USAGE });
  }
}

/** A failure a retry may fix: network, 429/5xx, lock contention. */
export class TransientError extends SalesflowError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super(message, { code: 'TRANSIENT', retry: 'transient', context, cause });
  }
}

/** A SQL engine (the warehouse, an aggregate engine) refused a statement: syntax, unknown table, type error. */
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

export function formatWhere(ctx: ErrorContext): string {
  const parts: string[] = [];
  if (ctx.file) parts.push(ctx.line !== undefined ? `${ctx.file}:${ctx.line}` : ctx.file);
  else if (ctx.line !== undefined) parts.push(`line ${ctx.line}`);
  if (ctx.object) parts.push(ctx.object);
  if (ctx.field) parts.push(`field ${ctx.field}`);
  if (ctx.step) parts.push(`step ${ctx.step}`);
  return parts.join(' ');
}

/** One-line description of any thrown value for logs. */
export function describeError(err: unknown): string {
  if (err instanceof SalesflowError) {
    const where = err.where;
    return where ? `${where}: ${err.message}` : err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * A file-system failure while writing an output (EACCES, ENOENT, ENOTDIR,
 * ENAMETOOLONG, ENOSPC …) as an error naming the output the user asked for,
 * not a temporary sibling of it. Other errors pass through unchanged.
 */
export function writeFailure(err: unknown, output: string): unknown {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (err instanceof SalesflowError || typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return err;
  return new SalesflowError(`cannot write ${output}: ${(err as Error).message}`, {
    code: 'WRITE_FAILED',
    context: { file: output, step: 'write' },
    cause: err,
  });
}

/** An output that is, contains or is inside an input (or another output): refused before anything is written. */
export class OverlapError extends ConflictError {
  constructor(message: string, context: ErrorContext & { output: string; input: string }) {
    super(message, context);
  }
}
