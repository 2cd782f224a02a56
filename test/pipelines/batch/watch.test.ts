/** The --watch loop: passes on an interval, transient failures survived, others fatal, a prompt stop. */
import { describe, expect, it } from 'vitest';
import type { BatchSummary } from '../../../pipelines/batch/run-batch.ts';
import { watchBatch } from '../../../pipelines/batch/watch.ts';
import { InputError, TransientError } from '../../../shared/errors.ts';

const summary = (ok: boolean): BatchSummary => ({
  files: [],
  ignored: [],
  rowsRead: 0,
  rowsLoaded: 0,
  rowsRejected: 0,
  rowsDuplicate: 0,
  ok,
  undisposed: [],
  seconds: 0,
});

describe('watchBatch', () => {
  it('survives a transient failure, remembers a rejected file, and stops when aborted', async () => {
    const stop = new AbortController();
    const outcomes: (BatchSummary | Error)[] = [
      summary(true),
      new TransientError('warehouse unreachable (ECONNRESET)'),
      summary(false),
      summary(true),
    ];
    const seen: string[] = [];
    const result = await watchBatch(
      async () => {
        const next = outcomes.shift() as BatchSummary | Error;
        if (outcomes.length === 0) stop.abort(); // the last pass: a signal arrives during it
        if (next instanceof Error) throw next;
        return next;
      },
      {
        intervalMs: 5,
        signal: stop.signal,
        onPass: (s) => seen.push(s.ok ? 'ok' : 'rejected'),
        onTransientError: (err) => seen.push(`retry: ${err.message}`),
      },
    );
    expect(seen).toEqual(['ok', 'retry: warehouse unreachable (ECONNRESET)', 'rejected', 'ok']);
    expect(result).toEqual({ passes: 4, failedPasses: 1, exitCode: 3 });
  });

  it('ends on an error a retry cannot help', async () => {
    const stop = new AbortController();
    let passes = 0;
    const watching = watchBatch(
      async () => {
        passes++;
        throw new InputError('landing folder is a file');
      },
      { intervalMs: 5, signal: stop.signal, onPass: () => {}, onTransientError: () => {} },
    );
    await expect(watching).rejects.toThrow(InputError);
    expect(passes).toBe(1);
  });

  // An hour's interval: only the stop can end the wait before the test's timeout.
  it('a stop while waiting ends the watch at once, not after the interval', { timeout: 10_000 }, async () => {
    const stop = new AbortController();
    const watching = watchBatch(async () => summary(true), {
      intervalMs: 3_600_000,
      signal: stop.signal,
      // The watch starts waiting as onPass returns; the stop comes in a later turn of the event loop.
      onPass: () => setImmediate(() => stop.abort()),
      onTransientError: () => {},
    });
    expect((await watching).passes).toBe(1);
  });
});
