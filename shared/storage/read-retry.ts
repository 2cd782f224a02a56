/**
 * Retries for object reads. The GCS client's own retries of a streaming
 * download are unsafe: when it discards a 429/5xx answer to try again, the
 * request stream it discarded is still piped into afterwards and throws
 * ERR_STREAM_UNABLE_TO_PIPE where nobody can catch it (teeny-request, see
 * googleapis/google-cloud-node#8670). So downloads do not use the client's
 * streams (gcs-store.ts) and are retried here, with the client's own policy
 * (maxRetries, exponential delay with jitter, maxRetryDelay, totalTimeout) —
 * the same budget uploads get from the client.
 */
import type { StorageOptions } from '@google-cloud/storage';
import { isTransient } from './storage-errors.ts';

type RetryOptions = NonNullable<StorageOptions['retryOptions']>;

export interface ReadRetryPolicy {
  /** Retries after the first attempt (0: none). */
  maxRetries: number;
  retryDelayMultiplier: number;
  /** Seconds. */
  maxRetryDelay: number;
  /** Seconds from the first attempt after which no retry starts. */
  totalTimeout: number;
}

/** The client's documented defaults (retryOptions in @google-cloud/storage). */
const CLIENT_DEFAULTS: ReadRetryPolicy = {
  maxRetries: 3,
  retryDelayMultiplier: 2,
  maxRetryDelay: 64,
  totalTimeout: 600,
};

export function readRetryPolicy(options: RetryOptions | undefined): ReadRetryPolicy {
  if (options?.autoRetry === false) return { ...CLIENT_DEFAULTS, maxRetries: 0 };
  return {
    maxRetries: options?.maxRetries ?? CLIENT_DEFAULTS.maxRetries,
    retryDelayMultiplier: options?.retryDelayMultiplier ?? CLIENT_DEFAULTS.retryDelayMultiplier,
    maxRetryDelay: options?.maxRetryDelay ?? CLIENT_DEFAULTS.maxRetryDelay,
    totalTimeout: options?.totalTimeout ?? CLIENT_DEFAULTS.totalTimeout,
  };
}

/** Delay before retry number `n` (1-based), as the client computes it: multiplier^n s plus up to 1 s of jitter. */
export function retryDelayMs(policy: ReadRetryPolicy, n: number): number {
  const ms = policy.retryDelayMultiplier ** n * 1000 + Math.floor(Math.random() * 1000);
  return Math.min(ms, policy.maxRetryDelay * 1000);
}

/**
 * Tracks the retries of one read (a read that resumes keeps one tracker across
 * its pieces). `next(err)` resolves after the delay when another attempt may
 * start, and rethrows `err` when it is not transient or the budget is spent.
 */
export class ReadRetries {
  private readonly policy: ReadRetryPolicy;
  private readonly started = performance.now();
  private retries = 0;

  constructor(policy: ReadRetryPolicy) {
    this.policy = policy;
  }

  async next(err: unknown): Promise<void> {
    if (!isTransient(err) || this.retries >= this.policy.maxRetries) throw err;
    const delay = retryDelayMs(this.policy, ++this.retries);
    if (performance.now() - this.started + delay > this.policy.totalTimeout * 1000) throw err;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
