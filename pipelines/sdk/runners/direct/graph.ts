/**
 * Graph translation: the pipeline's primitive steps become executors wired by
 * direct calls (each PCollection fans out to its consumers' `process`), source
 * slots, the side-input registry and the watermark tracker. Done once, before
 * anything runs.
 */
import { PipelineConstructionError } from '../../errors.ts';
import type { Pipeline, TransformNode } from '../../pipeline.ts';
import type { PCollection } from '../../pvalue.ts';
import { type Emitter, type Execution, type Executor, fanout, withHook } from './executor.ts';
import { FlattenExecutor } from './flatten-executor.ts';
import { GroupExecutor } from './group-executor.ts';
import { ParDoExecutor } from './pardo-executor.ts';
import { SideInputs } from './side-inputs.ts';
import { SourceSlot } from './source-pump.ts';
import { WatermarkTracker } from './watermarks.ts';
import { WindowExecutor } from './window-executor.ts';

export interface ExecutionGraph {
  /** Every non-read step's executor, in graph (topological) order. */
  readonly executors: Executor[];
  readonly sources: SourceSlot[];
  readonly sideInputs: SideInputs;
  readonly watermarks: WatermarkTracker;
}

export function translate(pipeline: Pipeline, exec: Execution): ExecutionGraph {
  const nodes = pipeline.nodes;
  if (nodes.length === 0) throw new PipelineConstructionError('the pipeline is empty');
  const executors: Executor[] = [];
  const executorOf = new Map<TransformNode, Executor>();
  const slotOf = new Map<TransformNode, SourceSlot>();
  const sources: SourceSlot[] = [];
  const sideInputs = new SideInputs();
  const upstream = new Map<TransformNode, Set<SourceSlot>>();
  const sourcesOf = (pc: PCollection<unknown>) => [...(upstream.get(pc.producer) ?? [])];
  const sourcesUpstream = new Map<Executor, SourceSlot[]>();

  for (const node of nodes) {
    if (node.spec.kind === 'read') {
      const slot = new SourceSlot(node);
      sources.push(slot);
      slotOf.set(node, slot);
      upstream.set(node, new Set([slot]));
      exec.registry.counterFrom(node.name, 'elements', () => slot.elements);
      exec.registry.counterFrom(node.name, 'unackedBatches', () => slot.unacked.batches);
      exec.registry.counterFrom(node.name, 'unackedElements', () => slot.unacked.elements);
      exec.registry.counterFrom(node.name, 'oldestUnackedMs', () => {
        const oldest = slot.unacked.oldestReadAt;
        return oldest === undefined ? 0 : Date.now() - oldest;
      });
      continue;
    }
    const ups = new Set<SourceSlot>();
    for (const i of node.inputs) for (const s of sourcesOf(i)) ups.add(s);
    upstream.set(node, ups);
    let ex: Executor;
    switch (node.spec.kind) {
      case 'pardo': {
        const pardo = new ParDoExecutor(node, exec);
        sideInputs.register(node, pardo, sourcesOf);
        ex = pardo;
        break;
      }
      case 'group':
        ex = new GroupExecutor(node, exec);
        break;
      case 'window':
        ex = new WindowExecutor(node, exec);
        break;
      case 'flatten':
        ex = new FlattenExecutor(node);
        break;
    }
    executors.push(ex);
    executorOf.set(node, ex);
    sourcesUpstream.set(ex, [...ups]);
  }

  // Wire every PCollection to its consumers: executors' inputs, plus side-input collectors.
  const consumers = new Map<PCollection<unknown>, Emitter[]>();
  const consumersOf = (pc: PCollection<unknown>) => {
    let list = consumers.get(pc);
    if (list === undefined) {
      list = [];
      consumers.set(pc, list);
    }
    return list;
  };
  for (const node of nodes) {
    const ex = executorOf.get(node);
    if (ex !== undefined) for (const i of node.inputs) consumersOf(i).push(ex.process);
  }
  for (const { pcoll, collect } of sideInputs.collectors()) consumersOf(pcoll).push(collect);
  for (const node of nodes) {
    for (const [tag, pc] of node.outputs) {
      const emit = fanout(consumers.get(pc) ?? []);
      const slot = slotOf.get(node);
      if (slot !== undefined) slot.emit = emit;
      else executorOf.get(node)?.connect(tag, emit);
    }
  }
  const watermarks = new WatermarkTracker(exec);
  for (const ex of withHook(executors, 'onWatermark')) watermarks.add(ex, sourcesUpstream.get(ex) ?? []);
  return { executors, sources, sideInputs, watermarks };
}
