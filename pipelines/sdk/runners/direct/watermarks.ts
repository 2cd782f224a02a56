/**
 * Watermark tracking: each source has a watermark (from its batches; +∞ once a
 * bounded source ends or a drain stops it). A step's input watermark is the
 * minimum over the sources upstream of it; steps that care (groupings fire
 * windows, windowInto judges lateness) hear about it through onWatermark.
 */
import { NO_TOKENS } from './ack.ts';
import type { Execution, ExecutorWith } from './executor.ts';
import type { SourceSlot } from './source-pump.ts';

export class WatermarkTracker {
  private readonly steps: { executor: ExecutorWith<'onWatermark'>; sources: SourceSlot[] }[] = [];
  private readonly exec: Execution;

  constructor(exec: Execution) {
    this.exec = exec;
  }

  /** Register a step (in graph order) with the sources upstream of it. */
  add(executor: ExecutorWith<'onWatermark'>, sources: SourceSlot[]): void {
    this.steps.push({ executor, sources });
  }

  /** Tell every step its input watermark; windows that are due fire (their outputs are awaited). */
  async advance(): Promise<void> {
    for (const step of this.steps) {
      let w = Number.POSITIVE_INFINITY;
      for (const s of step.sources) if (s.watermark < w) w = s.watermark;
      // Fired panes carry their own ack tokens, not the tokens of the batch that moved the watermark.
      this.exec.scope = NO_TOKENS;
      const r = step.executor.onWatermark(w);
      if (r !== undefined) await r;
    }
    this.exec.scope = NO_TOKENS;
  }
}
