/** The batch command's exit code for a run: 0 ok, 3 data rejected (rows or files), 1 files left undisposed of. */
import { EXIT_FAILURE, EXIT_PARTIAL } from '../../shared/errors.ts';
import type { BatchSummary } from './run-batch.ts';

export function batchExitCode(s: BatchSummary): number {
  if (s.undisposed.length > 0) return EXIT_FAILURE;
  return s.ok ? 0 : EXIT_PARTIAL;
}

/** Of two runs' exit codes, the one to report: a failure over partial data over success. */
export function worseExitCode(a: number, b: number): number {
  if (a === EXIT_FAILURE || b === EXIT_FAILURE) return EXIT_FAILURE;
  return Math.max(a, b);
}
