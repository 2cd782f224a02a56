/**
 * Test helpers for pipelines written with the SDK (used by our own suite too):
 * collect a PCollection into an array, and TestStream, an unbounded source
 * scripted with elements and watermark moves whose acks are recorded.
 */
import type { Sink } from './io/sink.ts';
import { writeTo } from './io/sink.ts';
import { type Source, type SourceBatch, unboundedSource } from './io/source.ts';
import type { PCollection } from './pvalue.ts';

/** Everything written to the returned array (filled as the pipeline runs). */
export function collect<T>(pcoll: PCollection<T>, name = 'Collect'): T[] {
  const out: T[] = [];
  const sink: Sink<T> = {
    name,
    async write(elements) {
      out.push(...elements);
    },
  };
  pcoll.apply(writeTo(sink, { name }));
  return out;
}

type StreamEvent<T> = { values: { value: T; timestamp: number }[] } | { watermark: number };

/**
 * A scripted unbounded source, like Beam's TestStream: each addElements() is one
 * batch (with an ack recorded in `acked` by batch number), advanceWatermarkTo()
 * moves event time. The stream ends after the script (watermark → +∞).
 */
export class TestStream<T> {
  private readonly events: StreamEvent<T>[] = [];
  /** Batch numbers (0-based, in addElements order) whose ack the runner called. */
  readonly acked: number[] = [];
  /** Batches handed to the runner so far. */
  pulled = 0;

  addElements(...values: { value: T; timestamp: number }[]): this {
    this.events.push({ values });
    return this;
  }

  advanceWatermarkTo(timestamp: number): this {
    this.events.push({ watermark: timestamp });
    return this;
  }

  source(name = 'TestStream'): Source<T> {
    return unboundedSource(name, () => this.batches(this.events));
  }

  private async *batches(events: StreamEvent<T>[]): AsyncIterable<SourceBatch<T>> {
    let watermark = Number.NEGATIVE_INFINITY;
    let batchNo = 0;
    for (const e of events) {
      if ('watermark' in e) {
        watermark = e.watermark;
        yield { values: [], watermark };
      } else {
        const n = batchNo++;
        this.pulled++;
        yield {
          values: e.values.map((v) => v.value),
          timestamps: e.values.map((v) => v.timestamp),
          ack: () => {
            this.acked.push(n);
          },
        };
      }
    }
  }
}
