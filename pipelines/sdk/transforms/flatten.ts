/** flatten(): several PCollections of the same type → one. */
import { PipelineConstructionError } from '../errors.ts';
import type { PTransformClass } from '../pipeline.ts';
import type { PCollection } from '../pvalue.ts';
import { MAIN_TAG } from '../tags.ts';

/** Use as `P([a, b]).apply(flatten())`. Windowing is taken from the first input; all must agree. */
export function flatten<T>(): PTransformClass<PCollection<T>[], PCollection<T>> {
  return {
    name: 'Flatten',
    expand(inputs) {
      const kinds = new Set(inputs.map((i) => i.windowing.windowFn.kind));
      if (kinds.size > 1) {
        throw new PipelineConstructionError(
          `flatten of differently windowed inputs: ${inputs.map((i) => i.name).join(', ')}`,
        );
      }
      const node = inputs[0].pipeline.addPrimitive({ kind: 'flatten' }, inputs as PCollection<unknown>[], [
        { tag: MAIN_TAG },
      ]);
      return node.outputs.get(MAIN_TAG) as PCollection<T>;
    },
  };
}
