/**
 * `--watch`: run a batch pass, wait, run again, until asked to stop. A pass
 * that fails with a transient error (network, a 5xx, a warehouse briefly
 * unreachable) is logged and tried again at the next interval — a watcher
 * must outlive a blip; nothing was lost, since files move only after their
 * commit. Any other error ends the watch (and the command exits non-zero).
 */
import { describeError, SalesflowError } from '../../shared/errors.ts';
import { batchExitCode, worseExitCode } from './exit-code.ts';
import type { BatchSummary } from './run-batch.ts';

export interface WatchOptions {
  intervalMs: number;
  /** Aborting stops the watch after the current pass (or at once while waiting). */
  signal: AbortSignal;
  onPass: (summary: BatchSummary) => void;
  /** A pass failed with a transient error; the next one follows the interval. */
  onTransientError: (err: SalesflowError) => void;
}

export interface WatchResult {
  passes: number;
  failedPasses: number;
  /** The worst pass's exit code: 3 when any rejected data, 1 when any left files undisposed of. */
  exitCode: number;
}

export async function watchBatch(runPass: () => Promise<BatchSummary>, opts: WatchOptions): Promise<WatchResult> {
  const result: WatchResult = { passes: 0, failedPasses: 0, exitCode: 0 };
  while (!opts.signal.aborted) {
    result.passes++;
    try {
      const summary = await runPass();
      result.exitCode = worseExitCode(result.exitCode, batchExitCode(summary));
      opts.onPass(summary);
    } catch (err) {
      if (!(err instanceof SalesflowError && err.transient)) throw err;
      result.failedPasses++;
      opts.onTransientError(err);
    }
    await sleep(opts.intervalMs, opts.signal);
  }
  return result;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** One line for a failed pass. */
export function describeFailedPass(err: SalesflowError, intervalMs: number): string {
  return `pass failed, trying again in ${Math.round(intervalMs / 1000)}s: ${describeError(err)}`;
}
