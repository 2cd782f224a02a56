/**
 * Windows and window functions. Event time is epoch **milliseconds** (like
 * `Date.now()`); window factory sizes are **seconds**, as in Beam's SDKs.
 * A window is the half-open interval [start, end); its last instant is end - 1.
 */
import { UsageError } from '../../shared/errors.ts';

/** Earliest and latest representable event time (the range of a JS Date). */
export const MIN_TIMESTAMP = -8.64e15;
export const MAX_TIMESTAMP = 8.64e15;

export interface BoundedWindow {
  /** Inclusive start, epoch ms. */
  readonly start: number;
  /** Exclusive end, epoch ms (Infinity for the global window). */
  readonly end: number;
}

/** The single window of un-windowed data; it closes only when the input ends. */
export const GLOBAL_WINDOW: BoundedWindow = Object.freeze({ start: MIN_TIMESTAMP, end: Number.POSITIVE_INFINITY });

/** The timestamp given to results of a window: its last instant. */
export function maxTimestampOf(window: BoundedWindow): number {
  return window.end === Number.POSITIVE_INFINITY ? MAX_TIMESTAMP : window.end - 1;
}

export function isGlobalWindow(window: BoundedWindow): boolean {
  return window.end === Number.POSITIVE_INFINITY;
}

/** "[2026-11-22T10:00:00.000Z, 2026-11-22T10:01:00.000Z)" or "global", for errors and logs. */
export function formatWindow(window: BoundedWindow): string {
  if (isGlobalWindow(window)) return 'global';
  return `[${new Date(window.start).toISOString()}, ${new Date(window.end).toISOString()})`;
}

/** Assigns each element's timestamp to windows. */
export interface WindowFn {
  readonly kind: 'global' | 'fixed' | 'sliding' | 'sessions';
  /** Windows for an element at `timestamp` (ms). Merging functions return one proto-window. */
  assign(timestamp: number): BoundedWindow[];
  /** Sessions: overlapping windows of one key merge into one when grouped. */
  readonly merging: boolean;
  /** Unique per window within this function; the runner's state key. */
  windowId(window: BoundedWindow): number;
}

export function globalWindows(): WindowFn {
  const only = [GLOBAL_WINDOW];
  return { kind: 'global', merging: false, assign: () => only, windowId: () => 0 };
}

function positiveSeconds(what: string, seconds: number): number {
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`${what} must be a positive number of seconds, got ${seconds}`);
  }
  return Math.round(seconds * 1000);
}

function floorMod(a: number, m: number): number {
  return ((a % m) + m) % m;
}

/** Tumbling windows of `sizeSeconds`, aligned to the epoch plus `offsetSeconds`. */
export function fixedWindows(sizeSeconds: number, offsetSeconds = 0): WindowFn {
  const size = positiveSeconds('fixedWindows size', sizeSeconds);
  const offset = floorMod(Math.round(offsetSeconds * 1000), size);
  // One window object per start: elements of the same window share it, which keeps
  // the runner's "same window as the previous element" fast path hot.
  let last: BoundedWindow = { start: Number.NaN, end: Number.NaN };
  let lastList: BoundedWindow[] = [last];
  return {
    kind: 'fixed',
    merging: false,
    assign(ts) {
      const start = ts - floorMod(ts - offset, size);
      if (start !== last.start) {
        last = { start, end: start + size };
        lastList = [last];
      }
      return lastList;
    },
    windowId: (w) => w.start,
  };
}

/** Overlapping windows of `sizeSeconds` starting every `periodSeconds`; an element lands in size/period of them. */
export function slidingWindows(sizeSeconds: number, periodSeconds: number, offsetSeconds = 0): WindowFn {
  const size = positiveSeconds('slidingWindows size', sizeSeconds);
  const period = positiveSeconds('slidingWindows period', periodSeconds);
  if (period > size) throw new UsageError(`slidingWindows period (${periodSeconds}s) exceeds size (${sizeSeconds}s)`);
  const offset = floorMod(Math.round(offsetSeconds * 1000), period);
  return {
    kind: 'sliding',
    merging: false,
    assign(ts) {
      const out: BoundedWindow[] = [];
      const lastStart = ts - floorMod(ts - offset, period);
      for (let start = lastStart; start > ts - size; start -= period) out.push({ start, end: start + size });
      return out;
    },
    windowId: (w) => w.start,
  };
}

/**
 * Session windows: an element opens [ts, ts + gap); windows of one key that
 * overlap merge when grouped, so a session ends after `gapSeconds` of inactivity.
 */
export function sessions(gapSeconds: number): WindowFn {
  const gap = positiveSeconds('sessions gap', gapSeconds);
  return {
    kind: 'sessions',
    merging: true,
    assign: (ts) => [{ start: ts, end: ts + gap }],
    windowId: (w) => w.start,
  };
}

/** How a PCollection is windowed; set by windowInto, kept by element-wise transforms. */
export interface WindowingStrategy {
  readonly windowFn: WindowFn;
  /** How long after a window's end (ms) late data is still added to it. */
  readonly allowedLatenessMs: number;
  /**
   * After a window fired, whether a late pane carries everything so far
   * ('accumulating': a sink can upsert by key+window) or only the late elements
   * ('discarding': a sink adds them up).
   */
  readonly accumulation: 'accumulating' | 'discarding';
}

export const DEFAULT_WINDOWING: WindowingStrategy = Object.freeze({
  windowFn: globalWindows(),
  allowedLatenessMs: 0,
  accumulation: 'accumulating',
});
