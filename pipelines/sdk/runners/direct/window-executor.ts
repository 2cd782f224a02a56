/**
 * Runs windowInto: assigns each element to its window(s). Elements whose every
 * window is past its allowed lateness at the current watermark are late: routed
 * to the `late` output (windowIntoWithLate) or dropped and counted. With
 * `holdAcks: false` the main output carries no ack tokens, so keyed state
 * downstream never delays a source batch's acknowledgement.
 */
import type { TransformNode } from '../../pipeline.ts';
import { LATE_TAG, MAIN_TAG } from '../../tags.ts';
import type { WindowFn } from '../../windows.ts';
import { NO_TOKENS } from './ack.ts';
import { type Emitter, type Execution, type Executor, noopEmitter, OutputChain } from './executor.ts';

export class WindowExecutor implements Executor {
  readonly step: string;
  /** Input watermark (epoch ms): what decides lateness. */
  watermark = Number.NEGATIVE_INFINITY;
  late = 0;
  private readonly windowFn: WindowFn;
  private readonly latenessMs: number;
  private readonly routeLate: boolean;
  private readonly holdAcks: boolean;
  private readonly exec: Execution;
  private main: Emitter = noopEmitter;
  private lateOut: Emitter = noopEmitter;
  private readonly chain = new OutputChain();

  constructor(node: TransformNode, exec: Execution) {
    if (node.spec.kind !== 'window') throw new Error(`not a window step: ${node.name}`);
    this.step = node.name;
    this.windowFn = node.spec.windowing.windowFn;
    this.latenessMs = node.spec.windowing.allowedLatenessMs;
    this.routeLate = node.spec.routeLate;
    this.holdAcks = node.spec.holdAcks;
    this.exec = exec;
    exec.registry.counterFrom(this.step, this.routeLate ? 'late' : 'droppedLate', () => this.late);
  }

  connect(tag: string, emit: Emitter): void {
    if (tag === MAIN_TAG) this.main = this.holdAcks ? emit : this.withoutAcks(emit);
    else if (tag === LATE_TAG) this.lateOut = emit;
  }

  /** Downstream of `emit`, nothing retains the current batches' ack tokens. */
  private withoutAcks(emit: Emitter): Emitter {
    const exec = this.exec;
    return (value, timestamp, window) => {
      const scope = exec.scope;
      exec.scope = NO_TOKENS;
      try {
        return emit(value, timestamp, window);
      } finally {
        exec.scope = scope;
      }
    };
  }

  onWatermark(watermark: number): void {
    if (watermark > this.watermark) this.watermark = watermark;
  }

  readonly process: Emitter = (value, timestamp, window) => {
    const windows = this.windowFn.assign(timestamp);
    let anyOnTime = false;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i];
      if (w.end + this.latenessMs <= this.watermark) continue;
      anyOnTime = true;
      this.chain.push(this.main, value, timestamp, w);
    }
    if (!anyOnTime) {
      this.late++;
      if (this.routeLate) this.chain.push(this.lateOut, value, timestamp, window);
    }
    return this.chain.take();
  };
}
