/**
 * CombineFn: an associative, commutative aggregation in four parts, so a runner
 * can keep one small accumulator per key and window instead of every value.
 */
export interface CombineFn<I, A, O> {
  createAccumulator(): A;
  /** May mutate and return `accumulator`. */
  addInput(accumulator: A, input: I): A;
  mergeAccumulators(accumulators: Iterable<A>): A;
  extractOutput(accumulator: A): O;
}
