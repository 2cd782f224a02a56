/**
 * The sink interface IO connectors implement (files, GCS, BigQuery, DuckDB), and
 * writeTo(sink), the transform that batches elements into it. A write must be
 * durable when it resolves: source data is acknowledged only after every sink
 * flushed the bundle it belongs to. Rows a sink refuses are an *output*
 * (dead letters), not a log line.
 */
import { SalesflowError } from '../../../shared/errors.ts';
import type { PTransformClass } from '../pipeline.ts';
import type { PCollection } from '../pvalue.ts';
import { FAILED_TAG } from '../tags.ts';
import type { DoFnContext, FailedElement } from '../transforms/pardo.ts';

export interface SinkWriteResult<T> {
  /** Rows the destination refused, with the reason; they go to writeTo's output. */
  failed?: { element: T; error: string; code?: string }[];
}

export interface Sink<T> {
  readonly name: string;
  open?(): void | Promise<void>;
  /**
   * Durably write `elements` (resolve only once committed). At-least-once: after a
   * crash the same elements may be written again, so make writes idempotent
   * (insert ids, MERGE, deterministic file names). Throw a TransientError to be
   * retried; any other error fails the pipeline (and nothing is acked).
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: lets a plain `async write() {}` be a sink.
  write(elements: readonly T[]): Promise<SinkWriteResult<T> | undefined | void>;
  close?(): void | Promise<void>;
}

export interface WriteOptions {
  name?: string;
  /** Flush once this many elements are buffered (default 1000), and always at the end of a bundle. */
  batchSize?: number;
  /** Attempts for a write failing with a transient error (default 4). */
  attempts?: number;
  /** First retry delay in ms, doubled each attempt (default 200). */
  retryDelayMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Write a PCollection to a sink; the result holds the rows the sink refused. */
export function writeTo<T>(
  sink: Sink<T>,
  options: WriteOptions = {},
): PTransformClass<PCollection<T>, PCollection<FailedElement<T>>> {
  const batchSize = options.batchSize ?? 1000;
  const attempts = options.attempts ?? 4;
  const retryDelayMs = options.retryDelayMs ?? 200;
  return {
    name: options.name ?? `Write(${sink.name})`,
    expand(input) {
      let buffer: T[] = [];
      type Ctx = DoFnContext<never, { failed: FailedElement<T> }>;
      async function flush(ctx: Ctx): Promise<void> {
        if (buffer.length === 0) return;
        const values = buffer;
        buffer = [];
        let result: SinkWriteResult<T> | undefined;
        for (let attempt = 1; ; attempt++) {
          try {
            result = (await sink.write(values)) as SinkWriteResult<T> | undefined;
            break;
          } catch (err) {
            const transient = err instanceof SalesflowError && err.transient;
            if (!transient || attempt >= attempts) throw err;
            ctx.counter('retries').inc();
            await sleep(retryDelayMs * 2 ** (attempt - 1));
          }
        }
        ctx.counter('written').inc(values.length - (result?.failed?.length ?? 0));
        for (const f of result?.failed ?? []) {
          ctx.counter('refused').inc();
          ctx.outputTo(FAILED_TAG, {
            element: f.element,
            step: ctx.step,
            error: f.error,
            code: f.code ?? 'REJECTED',
            retry: 'terminal',
          });
        }
      }
      const node = input.pipeline.addPrimitive(
        {
          kind: 'pardo',
          mainTag: undefined,
          sideInputs: {},
          onError: 'fail',
          doFn: {
            name: sink.name,
            setup() {
              buffer = []; // nothing left over from an earlier, failed run
              return sink.open?.();
            },
            // Synchronous until a flush is due: buffering costs no promise per element.
            process(element: T, ctx: Ctx) {
              buffer.push(element);
              if (buffer.length >= batchSize) return flush(ctx);
            },
            finishBundle: (ctx: Ctx) => flush(ctx),
            teardown: () => sink.close?.(),
          },
        },
        [input as PCollection<unknown>],
        [{ tag: FAILED_TAG }],
      );
      return node.outputs.get(FAILED_TAG) as PCollection<FailedElement<T>>;
    },
  };
}
