/** Test helper: collect a PCollection into an array (used by our own suite too). */
import type { Sink } from '../io/sink.ts';
import { writeTo } from '../io/sink.ts';
import type { PCollection } from '../pvalue.ts';

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
