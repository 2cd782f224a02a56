/** What every runner offers: run(pipeline) → a handle on the running job. */
import type { MetricsSnapshot } from '../metrics.ts';
import type { Pipeline } from '../pipeline.ts';

export type PipelineState = 'RUNNING' | 'DRAINING' | 'DONE' | 'FAILED' | 'CANCELLED';

export interface PipelineResult {
  readonly state: PipelineState;
  /** Resolves with the final state (DONE or CANCELLED); rejects with the error that failed the pipeline. */
  waitUntilFinish(): Promise<PipelineState>;
  /**
   * Graceful stop: stop pulling from sources, finish what was pulled, fire every
   * open window, commit and acknowledge, tear down. Resolves when finished.
   */
  drain(): Promise<PipelineState>;
  /** Hard stop: no more processing, windows are dropped, nothing further is acknowledged. */
  cancel(): Promise<PipelineState>;
  /** Counters and distributions ("<step>/<name>"), live while running. */
  metrics(): MetricsSnapshot;
  /** Shortcut for metrics().counters. */
  counters(): Record<string, number>;
}

export interface Runner {
  run(pipeline: Pipeline): PipelineResult;
}
