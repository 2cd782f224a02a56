/**
 * Grouping: one keyed-aggregation primitive, per key and window. groupByKey
 * collects values; combinePerKey/combineGlobally keep one accumulator per key
 * instead; groupBy(key).combining(field, fn, as) is the record-shaped builder.
 */
import { PipelineConstructionError } from '../errors.ts';
import type { PTransformClass } from '../pipeline.ts';
import type { PCollection } from '../pvalue.ts';
import { MAIN_TAG } from '../tags.ts';
import type { CombineFn } from './combine-fn.ts';
import { toList } from './combiners.ts';

type KV<K, V> = readonly [K, V];

function addGroup<O>(
  input: PCollection<unknown>,
  keyFn: (el: unknown) => unknown,
  valueFn: ((el: unknown) => unknown) | undefined,
  combineFn: CombineFn<unknown, unknown, unknown>,
  global: boolean,
): PCollection<O> {
  if (!input.bounded && input.windowing.windowFn.kind === 'global') {
    // A global window over endless input would never fire.
    throw new PipelineConstructionError(
      `grouping unbounded ${input.name} in the global window would never emit; apply windowInto(fixedWindows(…)) first`,
      { step: input.name },
    );
  }
  const node = input.pipeline.addPrimitive(
    { kind: 'group', keyFn, valueFn, combineFn, global },
    [input],
    [{ tag: MAIN_TAG }],
  );
  return node.outputs.get(MAIN_TAG) as PCollection<O>;
}

const first = (kv: unknown) => (kv as KV<unknown, unknown>)[0];
const second = (kv: unknown) => (kv as KV<unknown, unknown>)[1];

/** [key, value] → [key, values[]] per key and window. Keys compare by value (objects by their JSON). */
export function groupByKey<K, V>(): PTransformClass<PCollection<KV<K, V>>, PCollection<[K, V[]]>> {
  return {
    name: 'GroupByKey',
    expand: (input) =>
      addGroup(input as PCollection<unknown>, first, second, toList() as CombineFn<unknown, unknown, unknown>, false),
  };
}

/** [key, value] → [key, combined] per key and window. */
export function combinePerKey<K, V, A, O>(
  fn: CombineFn<V, A, O>,
): PTransformClass<PCollection<KV<K, V>>, PCollection<[K, O]>> {
  return {
    name: 'CombinePerKey',
    expand: (input) =>
      addGroup(input as PCollection<unknown>, first, second, fn as CombineFn<unknown, unknown, unknown>, false),
  };
}

/** All elements of each window → one result (in the global window, also for empty input). */
export function combineGlobally<I, A, O>(fn: CombineFn<I, A, O>): PTransformClass<PCollection<I>, PCollection<O>> {
  return {
    name: 'CombineGlobally',
    expand: (input) =>
      addGroup(input as PCollection<unknown>, () => null, undefined, fn as CombineFn<unknown, unknown, unknown>, true),
  };
}

type Extractor<T> = (keyof T & string) | ((element: T) => unknown);

interface Aggregation<T> {
  extract: (element: T) => unknown;
  fn: CombineFn<unknown, unknown, unknown>;
  as: string;
}

function extractor<T>(e: Extractor<T>): (element: T) => unknown {
  return typeof e === 'function' ? e : (el: T) => el[e];
}

/** Several CombineFns over one pass; the accumulator is an array of theirs. */
function composite<T>(aggs: Aggregation<T>[]): CombineFn<T, unknown[], unknown[]> {
  return {
    createAccumulator: () => aggs.map((a) => a.fn.createAccumulator()),
    addInput(acc, el) {
      for (let i = 0; i < aggs.length; i++) acc[i] = aggs[i].fn.addInput(acc[i], aggs[i].extract(el));
      return acc;
    },
    mergeAccumulators(accs) {
      const list = [...accs];
      return aggs.map((a, i) => a.fn.mergeAccumulators(list.map((x) => x[i])));
    },
    extractOutput: (acc) => aggs.map((a, i) => a.fn.extractOutput(acc[i])),
  };
}

/**
 * `groupBy('sales_region').combining('cents', sum(), 'total')` →
 * `{sales_region, total}` per region and window. The key is a field, a list of
 * fields (all copied to the output) or a function (output field `key`).
 */
export class GroupBy<T, Out extends object = Record<string, unknown>>
  implements PTransformClass<PCollection<T>, PCollection<Out>>
{
  readonly name: string;
  private readonly key: Extractor<T> | readonly (keyof T & string)[];
  private readonly aggs: Aggregation<T>[];

  constructor(key: Extractor<T> | readonly (keyof T & string)[], aggs: Aggregation<T>[] = []) {
    this.key = key;
    this.aggs = aggs;
    this.name = `GroupBy(${typeof key === 'function' ? key.name || 'key' : String(key)})`;
  }

  /** Add an aggregate: `fn` over `field` (or a function of the element), output as `as`. */
  combining<I, A, O, As extends string>(
    field: Extractor<T>,
    fn: CombineFn<I, A, O>,
    as: As,
  ): GroupBy<T, Out & { [P in As]: O }> {
    return new GroupBy<T, Out & { [P in As]: O }>(this.key, [
      ...this.aggs,
      { extract: extractor(field), fn: fn as CombineFn<unknown, unknown, unknown>, as },
    ]);
  }

  expand(input: PCollection<T>): PCollection<Out> {
    if (this.aggs.length === 0) throw new PipelineConstructionError(`${this.name} needs at least one .combining(…)`);
    const key = this.key;
    const fields = Array.isArray(key) ? (key as string[]) : typeof key === 'string' ? [key] : undefined;
    const keyFn =
      fields === undefined
        ? (key as (el: T) => unknown)
        : fields.length === 1
          ? (el: T) => (el as Record<string, unknown>)[fields[0]]
          : (el: T) => fields.map((f) => (el as Record<string, unknown>)[f]);
    const aggs = this.aggs;
    // One aggregate: feed its field straight into its CombineFn (the hot path).
    const single = aggs.length === 1;
    const combined = addGroup<[unknown, unknown]>(
      input as PCollection<unknown>,
      keyFn as (el: unknown) => unknown,
      single ? (aggs[0].extract as (el: unknown) => unknown) : undefined,
      single ? aggs[0].fn : (composite(aggs) as CombineFn<unknown, unknown, unknown>),
      false,
    );
    return combined.map(([k, result]) => {
      const out: Record<string, unknown> = {};
      if (fields === undefined) out.key = k;
      else if (fields.length === 1) out[fields[0]] = k;
      else for (let i = 0; i < fields.length; i++) out[fields[i]] = (k as unknown[])[i];
      if (single) out[aggs[0].as] = result;
      else for (let i = 0; i < aggs.length; i++) out[aggs[i].as] = (result as unknown[])[i];
      return out as Out;
    }, 'Output');
  }
}

/**
 * `groupBy<Sale>('region')`: output rows typed `{[field]: unknown} & {[as]: result}`;
 * name the key fields too for fully typed rows: `groupBy<Sale, 'region'>('region')`.
 */
export function groupBy<T>(key: Extractor<T> | readonly (keyof T & string)[]): GroupBy<T>;
export function groupBy<T, K extends keyof T & string>(key: K | readonly K[]): GroupBy<T, Pick<T, K>>;
export function groupBy<T>(key: Extractor<T> | readonly (keyof T & string)[]): GroupBy<T> {
  return new GroupBy<T>(key);
}
