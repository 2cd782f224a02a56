/** Runs flatten: every input's elements go to the one output unchanged. */
import type { TransformNode } from '../../pipeline.ts';
import { type Emitter, type Executor, noopEmitter } from './executor.ts';

export class FlattenExecutor implements Executor {
  readonly step: string;
  private out: Emitter = noopEmitter;

  constructor(node: TransformNode) {
    this.step = node.name;
  }

  connect(_tag: string, emit: Emitter): void {
    this.out = emit;
  }

  readonly process: Emitter = (v, ts, w) => this.out(v, ts, w);
}
