/**
 * The runner's side of side inputs: the elements of each side-input collection
 * are gathered as they arrive; once every source upstream of it has ended, the
 * view is materialized and handed to the parDos that read it (a parDo gets its
 * views when all of them are ready, and only then processes the elements it
 * parked meanwhile).
 */
import { PipelineConstructionError, StepError } from '../../errors.ts';
import type { TransformNode } from '../../pipeline.ts';
import type { PCollection } from '../../pvalue.ts';
import { NO_TOKENS } from './ack.ts';
import type { Emitter, Execution, MaybePromise } from './executor.ts';
import type { ParDoExecutor } from './pardo-executor.ts';
import type { SourceSlot } from './source-pump.ts';

interface SideInput {
  pcoll: PCollection<unknown>;
  values: unknown[];
  sources: SourceSlot[];
  ready: boolean;
}

interface Reader {
  executor: ParDoExecutor;
  views: { name: string; input: SideInput; materialize: (values: unknown[]) => unknown }[];
  delivered: boolean;
}

export class SideInputs {
  private readonly inputs: SideInput[] = [];
  private readonly readers: Reader[] = [];

  /** Register the side inputs a parDo reads; `sourcesOf` gives the sources upstream of a collection. */
  register(node: TransformNode, executor: ParDoExecutor, sourcesOf: (pc: PCollection<unknown>) => SourceSlot[]): void {
    if (node.spec.kind !== 'pardo') return;
    const views = Object.entries(node.spec.sideInputs);
    if (views.length === 0) return;
    const reader: Reader = { executor, views: [], delivered: false };
    for (const [name, view] of views) {
      let input = this.inputs.find((s) => s.pcoll === view.pcoll);
      if (input === undefined) {
        if (!view.pcoll.bounded) {
          throw new PipelineConstructionError(`side input ${view.pcoll.name} of ${node.name} must be bounded`, {
            step: node.name,
          });
        }
        input = { pcoll: view.pcoll, values: [], sources: sourcesOf(view.pcoll), ready: false };
        this.inputs.push(input);
        for (const s of input.sources) s.early = true;
      }
      reader.views.push({ name, input, materialize: (v) => view.materialize(v) });
    }
    this.readers.push(reader);
  }

  get any(): boolean {
    return this.inputs.length > 0;
  }

  get allReady(): boolean {
    return this.inputs.every((s) => s.ready);
  }

  /** The collectors to wire as consumers of each side-input collection. */
  collectors(): { pcoll: PCollection<unknown>; collect: Emitter }[] {
    return this.inputs.map((s) => ({
      pcoll: s.pcoll,
      collect: (v) => {
        s.values.push(v);
      },
    }));
  }

  /**
   * Side inputs whose sources all ended become ready; parDos whose side inputs
   * are all ready get them. `openBundle` runs first (parked elements are
   * processed inside a bundle). Returns undefined when nothing became ready.
   */
  resolve(exec: Execution, openBundle: () => MaybePromise): MaybePromise {
    const ready = this.inputs.filter(
      (s) => !s.ready && s.sources.every((src) => src.watermark === Number.POSITIVE_INFINITY),
    );
    if (ready.length === 0) return;
    for (const s of ready) s.ready = true;
    return (async () => {
      for (const reader of this.readers) {
        if (reader.delivered || !reader.views.every((v) => v.input.ready)) continue;
        reader.delivered = true;
        const values = new Map<string, unknown>();
        for (const v of reader.views) {
          try {
            values.set(v.name, v.materialize(v.input.values));
          } catch (e) {
            throw new StepError(reader.executor.step, e);
          }
        }
        const b = openBundle();
        if (b !== undefined) await b;
        const r = reader.executor.provideSideInputs(values);
        if (r !== undefined) await r;
      }
      exec.scope = NO_TOKENS;
    })();
  }
}
