/**
 * Side inputs: a small bounded PCollection (a dimension table) made available
 * whole to every element of a parDo, e.g. for enrichment joins. The runner
 * computes side inputs first; they are global-window views (not per window).
 */
import { PipelineConstructionError } from '../errors.ts';
import type { PCollection } from '../pvalue.ts';

export interface SideInputView<V> {
  readonly pcoll: PCollection<unknown>;
  readonly kind: 'list' | 'map' | 'singleton';
  /** Build the view from every element of the collection. */
  materialize(values: unknown[]): V;
}

/** All elements as an array. */
export function asList<T>(pcoll: PCollection<T>): SideInputView<readonly T[]> {
  return { pcoll, kind: 'list', materialize: (values) => values as T[] };
}

/** A Map from [key, value] pairs; a duplicate key is an error (a dimension table must be unique). */
export function asMap<K, V>(pcoll: PCollection<readonly [K, V]>): SideInputView<ReadonlyMap<K, V>> {
  return {
    pcoll,
    kind: 'map',
    materialize(values) {
      const m = new Map<K, V>();
      for (const kv of values as [K, V][]) {
        if (m.has(kv[0])) {
          throw new PipelineConstructionError(`side input ${pcoll.name}: duplicate key ${String(kv[0])}`, {
            step: pcoll.name,
          });
        }
        m.set(kv[0], kv[1]);
      }
      return m;
    },
  };
}

/** The one element (or `defaultValue` when empty; an error when there are several). */
export function asSingleton<T>(pcoll: PCollection<T>, defaultValue?: T): SideInputView<T> {
  return {
    pcoll,
    kind: 'singleton',
    materialize(values) {
      if (values.length === 1) return values[0] as T;
      if (values.length === 0 && defaultValue !== undefined) return defaultValue;
      throw new PipelineConstructionError(`side input ${pcoll.name}: expected one element, got ${values.length}`, {
        step: pcoll.name,
      });
    },
  };
}
