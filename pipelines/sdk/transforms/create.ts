/** create(values): a bounded PCollection from an in-memory array (tests, small dimension tables). */
import { arraySource, readFrom } from '../io/source.ts';
import type { Pipeline, PTransformClass } from '../pipeline.ts';
import type { PCollection } from '../pvalue.ts';

export function create<T>(
  values: readonly T[],
  options: { timestampFn?: (value: T) => number } = {},
): PTransformClass<Pipeline, PCollection<T>> {
  const read = readFrom(arraySource(values, { name: 'Create', timestampFn: options.timestampFn }));
  return { name: 'Create', expand: (p) => read.expand(p) };
}
