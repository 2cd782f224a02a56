/** Test helper: TestStream, a scripted unbounded source (used by our own suite too). */
import { type Source, type SourceBatch, unboundedSource } from '../io/source.ts';

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
