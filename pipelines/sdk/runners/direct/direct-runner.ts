/**
 * DirectRunner: executes a pipeline in this process, bounded or unbounded.
 *
 * - Sources are pumped into one bounded inbox of batches (source-pump.ts); the
 *   driver (direct-job.ts) takes a batch and pushes its elements through the
 *   fused steps (direct calls, graph.ts). An async step is awaited before the
 *   next element, so a slow sink slows the driver, the inbox fills, and the
 *   pumps stop pulling: memory stays bounded by queueCapacity batches + one
 *   bundle + open window state.
 * - Bundles (bundle.ts): after maxBundleSize elements (or maxBundleMs, or when an
 *   unbounded pipeline is idle) every step's finishBundle runs (sinks flush),
 *   then the source batches whose outputs are all committed are acknowledged (ack.ts).
 * - Watermarks (watermarks.ts): per source; a step's input watermark is the
 *   minimum over its upstream sources; groupings fire windows as it passes their end.
 * - One thread. A worker pool was not worth it: elements would be structured-
 *   cloned to and from workers (~1 µs each), more than the per-element work of
 *   typical steps (parse, validate, key, add: ~0.1 µs); sinks overlap their I/O
 *   on the event loop already, and the second core is left to DuckDB, parquet-wasm
 *   and the other process in a pipeline.
 */
import type { Pipeline } from '../../pipeline.ts';
import type { PipelineResult, Runner } from '../runner.ts';
import { DirectJob } from './direct-job.ts';

export interface DirectRunnerOptions {
  /** Elements per bundle before a commit (default 10 000). */
  maxBundleSize?: number;
  /** Commit a bundle at least this often, in ms (default 1000). */
  maxBundleMs?: number;
  /** Source batches read ahead of processing (default 4): the backpressure bound. */
  queueCapacity?: number;
  /**
   * Drain when this aborts (as `result.drain()`): the application's stop request,
   * e.g. a command's first SIGINT (shared/stop-signals.ts). The runner installs no
   * signal handlers itself.
   */
  drainSignal?: AbortSignal;
  /** Cancel when this aborts (as `result.cancel()`). */
  cancelSignal?: AbortSignal;
  /**
   * Called after each bundle committed and acknowledged, e.g. to draw progress
   * (shared/progress.ts). Runs on the pipeline's thread: keep it cheap; a throw
   * fails the pipeline.
   */
  onBundleCommitted?: (progress: BundleProgress) => void;
  /**
   * Problems that do not fail the pipeline (an ack or a teardown that failed).
   * Default: shared/log's warn.
   */
  onWarning?: (message: string) => void;
}

export interface BundleProgress {
  /** Source elements read so far (all sources). */
  readonly elementsRead: number;
  /** Bundles committed so far. */
  readonly bundles: number;
}

export class DirectRunner implements Runner {
  private readonly options: DirectRunnerOptions;

  constructor(options: DirectRunnerOptions = {}) {
    this.options = options;
  }

  /** Start executing; the returned handle's waitUntilFinish() resolves when done. */
  run(pipeline: Pipeline): PipelineResult {
    return new DirectJob(pipeline, this.options);
  }
}
