/**
 * The pipeline graph: transform nodes (primitives only; composites exist as name
 * scopes) connected by PCollections. Building a pipeline does no work; a runner
 * executes it.
 */
import type { Source } from './io/source.ts';
import { PipelineConstructionError } from './errors.ts';
import { PCollection } from './pvalue.ts';
import type { CombineFn } from './transforms/combine-fn.ts';
import type { DoFn } from './transforms/pardo.ts';
import type { SideInputView } from './transforms/side-inputs.ts';
import { DEFAULT_WINDOWING, type WindowingStrategy } from './windows.ts';

/** A composite transform as a class: `expand` builds it from other transforms. */
export interface PTransformClass<I, O> {
  /** Step name; defaults to the class name. */
  readonly name?: string;
  expand(input: I): O;
}

/** A transform is a plain function `(input) => output` or an object with `expand`. */
export type PTransform<I, O> = ((input: I) => O) | PTransformClass<I, O>;

/** What a runner executes: the primitive steps. */
export type PrimitiveSpec =
  | { kind: 'read'; source: Source<unknown> }
  | {
      kind: 'pardo';
      // biome-ignore lint/suspicious/noExplicitAny: the graph is untyped; PCollection<T> carries the types.
      doFn: DoFn<any, any, any>;
      /** Tag of the output `ctx.output` writes to (undefined: only tagged outputs). */
      mainTag: string | undefined;
      sideInputs: Record<string, SideInputView<unknown>>;
      /** 'deadLetter': a throwing element goes to the FAILED_TAG output instead of failing the pipeline. */
      onError: 'fail' | 'deadLetter';
    }
  | {
      kind: 'window';
      windowing: WindowingStrategy;
      routeLate: boolean;
      /** false: windows downstream do not retain the input batches' ack tokens. */
      holdAcks: boolean;
    }
  | {
      kind: 'group';
      keyFn: (element: unknown) => unknown;
      valueFn: ((element: unknown) => unknown) | undefined;
      combineFn: CombineFn<unknown, unknown, unknown>;
      /** combineGlobally: emit the bare result (and the empty result for empty global input). */
      global: boolean;
    }
  | { kind: 'flatten' };

export interface TransformNode {
  readonly id: number;
  /** Stable full name ("Parse/Validate"), used in metrics and errors. */
  readonly name: string;
  readonly spec: PrimitiveSpec;
  readonly inputs: PCollection<unknown>[];
  readonly outputs: Map<string, PCollection<unknown>>;
}

export { FAILED_TAG, LATE_TAG, MAIN_TAG } from './tags.ts';

class NamedTransform<I, O> implements PTransformClass<I, O> {
  readonly name: string;
  readonly inner: PTransform<I, O>;
  constructor(name: string, inner: PTransform<I, O>) {
    this.name = name;
    this.inner = inner;
  }
  expand(input: I): O {
    return typeof this.inner === 'function' ? this.inner(input) : this.inner.expand(input);
  }
}

/** Give a transform an explicit, stable step name (must be unique among its siblings). */
export function withName<I, O>(name: string, transform: PTransform<I, O>): PTransform<I, O> {
  if (!name || name.includes('/'))
    throw new PipelineConstructionError(`invalid step name "${name}" (empty or has "/")`);
  return new NamedTransform(name, transform);
}

function derivedName(transform: PTransform<unknown, unknown>): string {
  const n = transform.name;
  if (typeof n === 'string' && n.length > 0) return n.replaceAll('/', '_');
  return typeof transform === 'function' ? 'Transform' : (transform.constructor?.name ?? 'Transform');
}

export class Pipeline {
  readonly nodes: TransformNode[] = [];
  private readonly scope: { path: string; primitives: number }[] = [];
  private readonly usedNames = new Set<string>();
  private nextPCollectionId = 0;

  /** Apply a root transform (a source or create()). */
  apply<O>(transform: PTransform<Pipeline, O>, name?: string): O {
    return this.applyTo(this, transform, name);
  }

  /** Apply a transform to any input (a PCollection, an array of them for flatten, the pipeline). */
  applyTo<I, O>(input: I, transform: PTransform<I, O>, name?: string): O {
    const explicit = name !== undefined || transform instanceof NamedTransform;
    const base = name ?? derivedName(transform as PTransform<unknown, unknown>);
    const parent = this.scope.at(-1)?.path;
    let full = parent === undefined ? base : `${parent}/${base}`;
    if (this.usedNames.has(full)) {
      if (explicit) throw new PipelineConstructionError(`duplicate step name "${full}"`, { step: full });
      let i = 2;
      while (this.usedNames.has(`${full}_${i}`)) i++;
      full = `${full}_${i}`;
    }
    this.usedNames.add(full);
    this.scope.push({ path: full, primitives: 0 });
    try {
      return typeof transform === 'function' ? transform(input) : transform.expand(input);
    } finally {
      this.scope.pop();
    }
  }

  /**
   * Add a primitive step (for transform authors). Named after the enclosing
   * transform; a second primitive in the same transform gets "<name>/<kind>N".
   */
  addPrimitive(
    spec: PrimitiveSpec,
    inputs: PCollection<unknown>[],
    outputs: { tag: string; windowing?: WindowingStrategy }[],
  ): TransformNode {
    for (const i of inputs) {
      if (i.pipeline !== this) throw new PipelineConstructionError('a PCollection from another pipeline was used');
    }
    const scope = this.scope.at(-1);
    if (scope === undefined) throw new PipelineConstructionError('primitives must be added inside apply()');
    const name = scope.primitives === 0 ? scope.path : `${scope.path}/${spec.kind}${scope.primitives + 1}`;
    scope.primitives++;
    const bounded = spec.kind === 'read' ? spec.source.bounded : inputs.every((i) => i.bounded);
    const inherited = inputs[0]?.windowing ?? DEFAULT_WINDOWING;
    const node: TransformNode = { id: this.nodes.length, name, spec, inputs, outputs: new Map() };
    for (const o of outputs) {
      const pc = new PCollection<unknown>(
        this,
        this.nextPCollectionId++,
        node,
        o.tag,
        o.windowing ?? inherited,
        bounded,
      );
      node.outputs.set(o.tag, pc);
    }
    this.nodes.push(node);
    return node;
  }
}

/** Beam's `P(value)`: apply a transform to a non-PCollection input, e.g. `P([a, b]).apply(flatten())`. */
export function P<I extends PCollection<unknown> | PCollection<unknown>[]>(input: I) {
  const first: PCollection<unknown> | undefined = Array.isArray(input) ? input[0] : (input as PCollection<unknown>);
  if (first === undefined) throw new PipelineConstructionError('P([]) needs at least one PCollection');
  return { apply: <O>(t: PTransform<I, O>, name?: string): O => first.pipeline.applyTo(input, t, name) };
}
