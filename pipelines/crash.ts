/**
 * Named points in the batch pipeline where the reliability tests step in:
 *
 * - SALESFLOW_CRASH_AT=NAME (or NAME@N for the N-th time the point is reached)
 *   kills this process with SIGKILL right there — no cleanup, no finally
 *   blocks, like a power cut;
 * - `onCheckpoint(fn)` (tests running the pipeline in-process) runs `fn` there,
 *   e.g. to change a landing file between listing and loading.
 */
const hits = new Map<string, number>();

export type CrashPoint =
  | 'after-list'
  | 'mid-file'
  | 'after-stage'
  | 'after-commit'
  | 'mid-archive'
  // pipeline stream: inside the micro-batch transaction, after its COMMIT (before the acks), after a gold refresh
  | 'stream-mid-commit'
  | 'stream-after-commit'
  | 'stream-after-gold';

type CheckpointHook = (point: CrashPoint, keys: readonly string[]) => void | Promise<void>;
let hook: CheckpointHook | undefined;

/** Tests only: run `fn` at every checkpoint of pipelines run in this process (undefined: stop). */
export function onCheckpoint(fn: CheckpointHook | undefined): void {
  hook = fn;
}

/** A checkpoint; `keys` are the landing files concerned. */
export async function checkpoint(name: CrashPoint, keys: readonly string[] = []): Promise<void> {
  await hook?.(name, keys);
  crashPoint(name);
}

/** The SIGKILL part alone, synchronous: for points inside a callback that must not yield (a transaction). */
export function crashPoint(name: CrashPoint): void {
  const spec = process.env.SALESFLOW_CRASH_AT;
  if (!spec) return;
  const [point, nth] = spec.split('@');
  if (point !== name) return;
  const n = (hits.get(name) ?? 0) + 1;
  hits.set(name, n);
  if (n >= Number(nth ?? 1)) process.kill(process.pid, 'SIGKILL');
}
