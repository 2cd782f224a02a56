/**
 * Injectable crash points for the reliability tests: SALESFLOW_CRASH_AT=NAME
 * (or NAME@N for the N-th time the point is reached) kills this process with
 * SIGKILL right there — no cleanup, no finally blocks, like a power cut.
 */
const hits = new Map<string, number>();

export type CrashPoint =
  | 'mid-file'
  | 'after-stage'
  | 'after-commit'
  | 'mid-archive'
  // pipeline stream: inside the micro-batch transaction, after its COMMIT (before the acks), after a gold refresh
  | 'stream-mid-commit'
  | 'stream-after-commit'
  | 'stream-after-gold';

export function crashPoint(name: CrashPoint): void {
  const spec = process.env.SALESFLOW_CRASH_AT;
  if (!spec) return;
  const [point, nth] = spec.split('@');
  if (point !== name) return;
  const n = (hits.get(name) ?? 0) + 1;
  hits.set(name, n);
  if (n >= Number(nth ?? 1)) process.kill(process.pid, 'SIGKILL');
}
