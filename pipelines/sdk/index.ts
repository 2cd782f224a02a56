/** salesflow pipelines SDK: a Beam-style dataflow model with a DirectRunner. Re-exports only. */
export { PipelineConstructionError, previewElement, StepError } from './errors.ts';
export type {
  ArraySourceOptions,
  Source,
  SourceBatch,
  SourceContext,
  StreamSourceOptions,
  TextLine,
  Unacked,
} from './io/source.ts';
export {
  arraySource,
  boundedSource,
  iterableSource,
  readFrom,
  streamSource,
  textFileSource,
  unboundedSource,
} from './io/source.ts';
export type { Sink, SinkWriteResult, WriteOptions } from './io/sink.ts';
export { writeTo } from './io/sink.ts';
export type { Counter, Distribution, DistributionValue, MetricsSnapshot } from './metrics.ts';
export type { PrimitiveSpec, PTransform, PTransformClass, TransformNode } from './pipeline.ts';
export { P, Pipeline, withName } from './pipeline.ts';
export { PCollection } from './pvalue.ts';
export type { DirectRunnerOptions } from './runners/direct/direct-runner.ts';
export { DirectRunner } from './runners/direct/direct-runner.ts';
export type { PipelineResult, PipelineState, Runner } from './runners/runner.ts';
export { FAILED_TAG, LATE_TAG, MAIN_TAG } from './tags.ts';
export type { CombineFn } from './transforms/combine-fn.ts';
export type { SumAccumulator } from './transforms/combiners.ts';
export { count, exactTotal, max, mean, min, sum, sumBigInt, sumIsExact, toList, topN } from './transforms/combiners.ts';
export { create } from './transforms/create.ts';
export { flatten } from './transforms/flatten.ts';
export { combineGlobally, combinePerKey, GroupBy, groupBy, groupByKey } from './transforms/group-and-combine.ts';
export type {
  DoFn,
  DoFnContext,
  FailedElement,
  ParDoOptions,
  TaggedPCollections,
  WithOutputsOptions,
} from './transforms/pardo.ts';
export { asyncMap, filter, flatMap, map, parDo, split, tryParDo, withOutputs } from './transforms/pardo.ts';
export type { SideInputView } from './transforms/side-inputs.ts';
export { asList, asMap, asSingleton } from './transforms/side-inputs.ts';
export type { WindowIntoOptions } from './transforms/window.ts';
export { assignTimestamps, windowInto, windowIntoWithLate } from './transforms/window.ts';
export type { BoundedWindow, WindowFn, WindowingStrategy } from './windows.ts';
export {
  formatWindow,
  GLOBAL_WINDOW,
  fixedWindows,
  globalWindows,
  MAX_TIMESTAMP,
  MIN_TIMESTAMP,
  maxTimestampOf,
  sessions,
  slidingWindows,
} from './windows.ts';
export { collect } from './testing/collect.ts';
export { TestStream } from './testing/test-stream.ts';
export type { MapInWorkersOptions } from './transforms/map-in-workers.ts';
export { mapInWorkers } from './transforms/map-in-workers.ts';
