/**
 * Event time and windowing: assignTimestamps sets each element's event time;
 * windowInto assigns windows and sets how late data is treated. Windows fire
 * when the watermark passes their end; data later than `allowedLateness` is
 * late: windowIntoWithLate routes it to a `late` output, windowInto drops it
 * (counted as "<step>/droppedLate").
 */
import type { PTransformClass } from '../pipeline.ts';
import type { PCollection } from '../pvalue.ts';
import { LATE_TAG, MAIN_TAG } from '../tags.ts';
import type { WindowFn, WindowingStrategy } from '../windows.ts';
import { parDo } from './pardo.ts';

export interface WindowIntoOptions {
  /** Seconds after a window's end during which late data is still added (a late pane fires). Default 0. */
  allowedLateness?: number;
  /** What a late pane carries: everything so far (default) or only the late elements. */
  accumulation?: 'accumulating' | 'discarding';
  /**
   * Whether windows downstream hold the source batches' acks until they fire
   * (default true: at-least-once for the windowed result). `false`: the batches
   * are acknowledged once the rest of the pipeline committed them, while their
   * windows are still open. Use it when the windowed result is recomputed from
   * a durable sink (e.g. totals re-read from a table the same bundle committed),
   * so a lost pane is rebuilt from there, not from redelivery. Flow control then
   * need not leave room for the messages a window holds.
   */
  holdAcks?: boolean;
}

function strategy(windowFn: WindowFn, options: WindowIntoOptions): WindowingStrategy {
  const lateness = options.allowedLateness ?? 0;
  if (!(lateness >= 0)) throw new RangeError(`allowedLateness must be >= 0 seconds, got ${lateness}`);
  return {
    windowFn,
    allowedLatenessMs: Math.round(lateness * 1000),
    accumulation: options.accumulation ?? 'accumulating',
  };
}

export function windowInto<T>(
  windowFn: WindowFn,
  options: WindowIntoOptions = {},
): PTransformClass<PCollection<T>, PCollection<T>> {
  return {
    name: `WindowInto(${windowFn.kind})`,
    expand(input) {
      const windowing = strategy(windowFn, options);
      const node = input.pipeline.addPrimitive(
        { kind: 'window', windowing, routeLate: false, holdAcks: options.holdAcks ?? true },
        [input as PCollection<unknown>],
        [{ tag: MAIN_TAG, windowing }],
      );
      return node.outputs.get(MAIN_TAG) as PCollection<T>;
    },
  };
}

/** windowInto, plus a `late` output for elements already past their windows' allowed lateness. */
export function windowIntoWithLate<T>(
  windowFn: WindowFn,
  options: WindowIntoOptions = {},
): PTransformClass<PCollection<T>, { main: PCollection<T>; late: PCollection<T> }> {
  return {
    name: `WindowInto(${windowFn.kind})`,
    expand(input) {
      const windowing = strategy(windowFn, options);
      const node = input.pipeline.addPrimitive(
        { kind: 'window', windowing, routeLate: true, holdAcks: options.holdAcks ?? true },
        [input as PCollection<unknown>],
        [
          { tag: MAIN_TAG, windowing },
          { tag: LATE_TAG, windowing: input.windowing },
        ],
      );
      return { main: node.outputs.get(MAIN_TAG) as PCollection<T>, late: node.outputs.get(LATE_TAG) as PCollection<T> };
    },
  };
}

/** Set each element's event time (epoch ms) from its content. */
export function assignTimestamps<T>(
  timestampFn: (element: T) => number,
): PTransformClass<PCollection<T>, PCollection<T>> {
  return parDo<T, T>(
    {
      process(element, ctx) {
        const ts = timestampFn(element);
        if (!Number.isFinite(ts)) throw new RangeError(`timestamp ${ts} is not a finite epoch-ms number`);
        ctx.outputWithTimestamp(element, ts);
      },
    },
    { name: 'AssignTimestamps' },
  );
}
