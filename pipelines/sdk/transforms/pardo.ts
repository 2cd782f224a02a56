/**
 * The element-wise primitive: parDo(DoFn). map/flatMap/filter, tagged multiple
 * outputs (withOutputs, split) and dead-letter routing (tryParDo) are all parDo.
 */
import type { Retryability } from '../../../shared/errors.ts';
import type { Counter, Distribution } from '../metrics.ts';
import type { PTransformClass } from '../pipeline.ts';
import type { PCollection } from '../pvalue.ts';
import { FAILED_TAG, MAIN_TAG } from '../tags.ts';
import type { BoundedWindow } from '../windows.ts';
import type { SideInputView } from './side-inputs.ts';

// biome-ignore lint/suspicious/noExplicitAny: "no tagged outputs" must accept any record shape.
type AnyTags = Record<string, any>;

/**
 * What a DoFn sees. In `process`, timestamp and window are the element's; in
 * start/finishBundle they are MIN_TIMESTAMP and the global window (pass them
 * explicitly to outputWithTimestamp when emitting buffered data).
 */
export interface DoFnContext<O = never, Tagged extends AnyTags = AnyTags> {
  /** The full step name (as in metrics and errors). */
  readonly step: string;
  /** Event time of the current element, epoch ms. */
  readonly timestamp: number;
  readonly window: BoundedWindow;
  /** Emit to the main output with the current element's timestamp and window. */
  output(value: O): void;
  /** Emit to a tagged output (withOutputs). */
  outputTo<K extends keyof Tagged & string>(tag: K, value: Tagged[K]): void;
  /** Emit with a new event time (and optionally window), e.g. when assigning timestamps. */
  outputWithTimestamp(value: O, timestamp: number, window?: BoundedWindow): void;
  /** A counter named "<step>/<name>". */
  counter(name: string): Counter;
  distribution(name: string): Distribution;
  /** The materialized view of side input `name` (see ParDoOptions.sideInputs). */
  sideInput<V = unknown>(name: string): V;
}

/**
 * A DoFn: `process` is called once per element and may be async (it is awaited
 * before the next element reaches this step, which is how a slow sink slows the
 * source). setup/teardown run once per run; start/finishBundle around each bundle.
 * A sink must make its writes durable by the end of finishBundle: the runner
 * acknowledges source data only after every finishBundle of the bundle succeeded.
 */
export interface DoFn<I, O = never, Tagged extends AnyTags = AnyTags> {
  readonly name?: string;
  setup?(ctx: DoFnContext<O, Tagged>): void | Promise<void>;
  startBundle?(ctx: DoFnContext<O, Tagged>): void | Promise<void>;
  process(element: I, ctx: DoFnContext<O, Tagged>): void | Promise<void>;
  finishBundle?(ctx: DoFnContext<O, Tagged>): void | Promise<void>;
  teardown?(): void | Promise<void>;
}

/** An element a step could not process, with why: the dead-letter record. */
export interface FailedElement<I> {
  element: I;
  step: string;
  error: string;
  /** SalesflowError code when known (e.g. BAD_INPUT), else "ERROR". */
  code: string;
  retry: Retryability;
}

export interface ParDoOptions {
  name?: string;
  /** Side inputs by name, read in the DoFn with ctx.sideInput(name). */
  sideInputs?: Record<string, SideInputView<unknown>>;
}

function dofnName(doFn: { name?: string; constructor?: { name: string } }, fallback: string): string {
  if (typeof doFn.name === 'string' && doFn.name) return doFn.name;
  const ctor = doFn.constructor?.name;
  return ctor && ctor !== 'Object' ? ctor : fallback;
}

function named(kind: string, fn: (...args: never[]) => unknown): string {
  return fn.name ? `${kind}(${fn.name})` : kind;
}

function addParDo(
  input: PCollection<unknown>,
  // biome-ignore lint/suspicious/noExplicitAny: graph level is untyped.
  doFn: DoFn<any, any, any>,
  mainTag: string | undefined,
  tags: string[],
  options: ParDoOptions,
  onError: 'fail' | 'deadLetter',
) {
  const outputs = [...(mainTag === undefined ? [] : [mainTag]), ...tags];
  if (onError === 'deadLetter') outputs.push(FAILED_TAG);
  return input.pipeline.addPrimitive(
    { kind: 'pardo', doFn, mainTag, sideInputs: options.sideInputs ?? {}, onError },
    [input],
    outputs.map((tag) => ({ tag })),
  );
}

/** The primitive: run `doFn` on every element; a throwing element fails the pipeline. */
export function parDo<I, O>(
  doFn: DoFn<I, O>,
  options: ParDoOptions = {},
): PTransformClass<PCollection<I>, PCollection<O>> {
  return {
    name: options.name ?? `ParDo(${dofnName(doFn, 'DoFn')})`,
    expand: (input) =>
      addParDo(input as PCollection<unknown>, doFn, MAIN_TAG, [], options, 'fail').outputs.get(
        MAIN_TAG,
      ) as PCollection<O>,
  };
}

/** parDo whose throwing elements go to `failed` (with the step and error) instead of failing the pipeline. */
export function tryParDo<I, O>(
  doFn: DoFn<I, O>,
  options: ParDoOptions = {},
): PTransformClass<PCollection<I>, { output: PCollection<O>; failed: PCollection<FailedElement<I>> }> {
  return {
    name: options.name ?? `TryParDo(${dofnName(doFn, 'DoFn')})`,
    expand(input) {
      const node = addParDo(input as PCollection<unknown>, doFn, MAIN_TAG, [], options, 'deadLetter');
      return {
        output: node.outputs.get(MAIN_TAG) as PCollection<O>,
        failed: node.outputs.get(FAILED_TAG) as PCollection<FailedElement<I>>,
      };
    },
  };
}

export type TaggedPCollections<Tagged extends AnyTags> = { [K in keyof Tagged]: PCollection<Tagged[K]> };

export interface WithOutputsOptions extends ParDoOptions {
  /** 'deadLetter' adds a `failed` output for elements the DoFn threw on. */
  onError?: 'fail' | 'deadLetter';
}

/**
 * A DoFn with several tagged outputs (ctx.outputTo(tag, value)), e.g. valid and
 * invalid rows routed in one pass.
 */
export function withOutputs<I, Tagged extends AnyTags>(
  tags: readonly (keyof Tagged & string)[],
  doFn: DoFn<I, never, Tagged>,
  options?: WithOutputsOptions & { onError?: 'fail' },
): PTransformClass<PCollection<I>, TaggedPCollections<Tagged>>;
export function withOutputs<I, Tagged extends AnyTags>(
  tags: readonly (keyof Tagged & string)[],
  doFn: DoFn<I, never, Tagged>,
  options: WithOutputsOptions & { onError: 'deadLetter' },
): PTransformClass<PCollection<I>, TaggedPCollections<Tagged> & { failed: PCollection<FailedElement<I>> }>;
export function withOutputs<I, Tagged extends AnyTags>(
  tags: readonly (keyof Tagged & string)[],
  doFn: DoFn<I, never, Tagged>,
  options: WithOutputsOptions = {},
): PTransformClass<PCollection<I>, TaggedPCollections<Tagged>> {
  return {
    name: options.name ?? `WithOutputs(${dofnName(doFn, 'DoFn')})`,
    expand(input) {
      const node = addParDo(
        input as PCollection<unknown>,
        doFn,
        undefined,
        [...tags],
        options,
        options.onError ?? 'fail',
      );
      return Object.fromEntries(node.outputs) as TaggedPCollections<Tagged>;
    },
  };
}

/**
 * Beam's split: each element is an object with exactly one of `tags` as its key,
 * `{valid: row}` or `{invalid: reason}`; the value goes to that tag's output.
 */
export function split<Tagged extends AnyTags>(
  tags: readonly (keyof Tagged & string)[],
  options: ParDoOptions = {},
): PTransformClass<PCollection<Partial<Tagged>>, TaggedPCollections<Tagged>> {
  const known = new Set<string>(tags);
  return withOutputs<Partial<Tagged>, Tagged>(
    tags,
    {
      process(element, ctx) {
        const keys = Object.keys(element);
        if (keys.length !== 1 || !known.has(keys[0])) {
          throw new TypeError(
            `split expects an object with exactly one key of ${tags.join('|')}, got {${keys.join(',')}}`,
          );
        }
        const tag = keys[0] as keyof Tagged & string;
        ctx.outputTo(tag, element[tag] as Tagged[typeof tag]);
      },
    },
    { name: 'Split', ...options },
  );
}

/**
 * map and filter DoFns remember their function so a runner may call it directly
 * (no context, no promise check): the hot path of most pipelines. Semantics are
 * the same as running the DoFn.
 */
const elementwise = new WeakMap<object, { kind: 'map' | 'filter'; fn: (element: unknown) => unknown }>();

export function elementwiseFnOf(
  doFn: object,
): { kind: 'map' | 'filter'; fn: (element: unknown) => unknown } | undefined {
  return elementwise.get(doFn);
}

export function map<I, O>(fn: (element: I) => O): PTransformClass<PCollection<I>, PCollection<O>> {
  const doFn: DoFn<I, O> = {
    process(element, ctx) {
      ctx.output(fn(element));
    },
  };
  elementwise.set(doFn, { kind: 'map', fn: fn as (element: unknown) => unknown });
  return parDo<I, O>(doFn, { name: named('Map', fn) });
}

export function asyncMap<I, O>(fn: (element: I) => Promise<O>): PTransformClass<PCollection<I>, PCollection<O>> {
  return parDo<I, O>(
    {
      async process(element, ctx) {
        ctx.output(await fn(element));
      },
    },
    { name: named('AsyncMap', fn) },
  );
}

export function flatMap<I, O>(fn: (element: I) => Iterable<O>): PTransformClass<PCollection<I>, PCollection<O>> {
  return parDo<I, O>(
    {
      process(element, ctx) {
        for (const o of fn(element)) ctx.output(o);
      },
    },
    { name: named('FlatMap', fn) },
  );
}

export function filter<I, S extends I = I>(
  fn: ((element: I) => element is S) | ((element: I) => boolean),
): PTransformClass<PCollection<I>, PCollection<S>> {
  const doFn: DoFn<I, S> = {
    process(element, ctx) {
      if (fn(element)) ctx.output(element as S);
    },
  };
  elementwise.set(doFn, { kind: 'filter', fn: fn as (element: unknown) => unknown });
  return parDo<I, S>(doFn, { name: named('Filter', fn) });
}
