/**
 * The source interface IO connectors implement (files, GCS, Pub/Sub, …), and
 * small built-in sources. A source yields batches; each batch may carry an `ack`
 * that the runner calls exactly once, only after every output derived from the
 * batch has been committed by every sink (at-least-once delivery). A batch that
 * is never acked (failure, cancel) must be delivered again by the source next time.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Pipeline, PTransformClass } from '../pipeline.ts';
import type { PCollection } from '../pvalue.ts';
import { MAIN_TAG } from '../tags.ts';

export interface SourceBatch<T> {
  readonly values: readonly T[];
  /** Event time per value (epoch ms). Default: MIN_TIMESTAMP for bounded sources, arrival time for unbounded. */
  readonly timestamps?: readonly number[];
  /**
   * After this batch, the source promises no more values with a timestamp below
   * this (epoch ms). Windows whose end is at or before it fire. A bounded source
   * needs none: its watermark jumps to the end of time when it is exhausted.
   */
  readonly watermark?: number;
  /**
   * Called once all outputs derived from these values were committed downstream
   * (a Pub/Sub ack, a file checkpoint). Acks can come out of order when windows
   * hold older data: a checkpointing source should persist the lowest unacked offset.
   */
  ack?(): void | Promise<void>;
}

export interface SourceContext {
  /** Aborted on drain or cancel: stop pulling, return from the iterator. */
  readonly signal: AbortSignal;
  /**
   * This source's batches the runner has read but not acknowledged yet: queued,
   * in the open bundle, or held by a window that has not fired. What flow control
   * (e.g. Pub/Sub `maxMessages`) must leave room for, and whose ack deadlines
   * must be kept alive meanwhile.
   */
  unacked(): Unacked;
}

export interface Unacked {
  /** Batches with an `ack` read and not yet acknowledged. */
  readonly batches: number;
  /** Values in those batches. */
  readonly elements: number;
  /** When the oldest of them was read (epoch ms); undefined when there is none. */
  readonly oldestReadAt: number | undefined;
}

export interface Source<T> {
  readonly name: string;
  /** Bounded sources end; unbounded ones run until drained or cancelled. */
  readonly bounded: boolean;
  read(ctx: SourceContext): AsyncIterable<SourceBatch<T>> | Iterable<SourceBatch<T>>;
}

/** Read a source: a root transform, `p.apply(readFrom(source))`. */
export function readFrom<T>(source: Source<T>): PTransformClass<Pipeline, PCollection<T>> {
  return {
    name: `Read(${source.name})`,
    expand(p) {
      const node = p.addPrimitive({ kind: 'read', source: source as Source<unknown> }, [], [{ tag: MAIN_TAG }]);
      return node.outputs.get(MAIN_TAG) as PCollection<T>;
    },
  };
}

export interface ArraySourceOptions<T> {
  name?: string;
  /** Values per batch (default 4096). */
  batchSize?: number;
  /** Event time of each value (epoch ms). */
  timestampFn?: (value: T) => number;
}

/** A bounded source over an in-memory array (batched, no copy of the values). */
export function arraySource<T>(values: readonly T[], options: ArraySourceOptions<T> = {}): Source<T> {
  const batchSize = options.batchSize ?? 4096;
  return {
    name: options.name ?? 'Array',
    bounded: true,
    *read() {
      for (let i = 0; i < values.length; i += batchSize) {
        const slice = values.slice(i, i + batchSize);
        yield options.timestampFn ? { values: slice, timestamps: slice.map(options.timestampFn) } : { values: slice };
      }
    },
  };
}

/** A bounded source over a (sync or async) iterable of values, batched. */
export function iterableSource<T>(
  iterable: Iterable<T> | AsyncIterable<T>,
  options: ArraySourceOptions<T> = {},
): Source<T> {
  const batchSize = options.batchSize ?? 4096;
  const batch = (values: T[]): SourceBatch<T> =>
    options.timestampFn ? { values, timestamps: values.map(options.timestampFn) } : { values };
  return {
    name: options.name ?? 'Iterable',
    bounded: true,
    async *read(ctx) {
      let values: T[] = [];
      for await (const v of iterable) {
        values.push(v);
        if (values.length >= batchSize) {
          yield batch(values);
          values = [];
          if (ctx.signal.aborted) return;
        }
      }
      if (values.length > 0) yield batch(values);
    },
  };
}

export interface TextLine {
  file: string;
  /** 1-based line number, for error messages. */
  line: number;
  text: string;
}

/** A bounded source of the lines of a text file, each with its file and line number. */
export function textFileSource(path: string, options: { batchSize?: number } = {}): Source<TextLine> {
  let line = 0;
  async function* lines(): AsyncIterable<TextLine> {
    const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const text of rl) yield { file: path, line: ++line, text };
  }
  return { ...iterableSource(lines(), { batchSize: options.batchSize ?? 4096 }), name: `TextFile(${path})` };
}

export interface StreamSourceOptions<T> {
  name?: string;
  /** Event time of a value (epoch ms); default: arrival time. */
  timestampFn?: (value: T) => number;
  /** How far behind the newest timestamp seen the watermark trails (ms), i.e. the disorder tolerated. */
  maxDelayMs?: number;
  /** Called when a value's outputs are committed (e.g. message.ack()). */
  ack?: (value: T) => void | Promise<void>;
}

/**
 * An unbounded source from an async iterable of single values (one batch each),
 * with a heuristic watermark: newest timestamp seen minus `maxDelayMs`. Real
 * connectors (Pub/Sub) should yield SourceBatches themselves via unboundedSource.
 */
export function streamSource<T>(iterable: AsyncIterable<T>, options: StreamSourceOptions<T> = {}): Source<T> {
  const maxDelay = options.maxDelayMs ?? 0;
  return unboundedSource(options.name ?? 'Stream', async function* (ctx) {
    let newest = Number.NEGATIVE_INFINITY;
    for await (const v of iterable) {
      const ts = options.timestampFn ? options.timestampFn(v) : Date.now();
      if (ts > newest) newest = ts;
      const ack = options.ack;
      yield { values: [v], timestamps: [ts], watermark: newest - maxDelay, ack: ack && (() => ack(v)) };
      if (ctx.signal.aborted) return;
    }
  });
}

/** Wrap a batch-producing async generator as an unbounded source (what connectors implement). */
export function unboundedSource<T>(
  name: string,
  read: (ctx: SourceContext) => AsyncIterable<SourceBatch<T>>,
): Source<T> {
  return { name, bounded: false, read };
}

/** Wrap a batch-producing (async) generator as a bounded source. */
export function boundedSource<T>(
  name: string,
  read: (ctx: SourceContext) => AsyncIterable<SourceBatch<T>> | Iterable<SourceBatch<T>>,
): Source<T> {
  return { name, bounded: true, read };
}
