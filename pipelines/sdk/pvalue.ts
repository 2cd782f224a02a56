/**
 * PCollection<T>: a (possibly unbounded) collection of timestamped, windowed
 * elements produced by one step. `.map/.flatMap/.filter/.parDo` are sugar over
 * the single parDo primitive.
 */
import type { Pipeline, PTransform, TransformNode } from './pipeline.ts';
import { type DoFn, type ParDoOptions, filter, flatMap, map, asyncMap, parDo } from './transforms/pardo.ts';
import type { WindowingStrategy } from './windows.ts';

export class PCollection<T> {
  /** Phantom: makes PCollection<A> and PCollection<B> distinct types. */
  declare readonly __element?: T;
  readonly pipeline: Pipeline;
  readonly id: number;
  /** The step that produces this collection, and which of its outputs it is. */
  readonly producer: TransformNode;
  readonly tag: string;
  readonly windowing: WindowingStrategy;
  /** False when any upstream source is unbounded (streaming). */
  readonly bounded: boolean;

  constructor(
    pipeline: Pipeline,
    id: number,
    producer: TransformNode,
    tag: string,
    windowing: WindowingStrategy,
    bounded: boolean,
  ) {
    this.pipeline = pipeline;
    this.id = id;
    this.producer = producer;
    this.tag = tag;
    this.windowing = windowing;
    this.bounded = bounded;
  }

  /** "Step" for a main output, "Step.tag" for a tagged one. */
  get name(): string {
    return this.tag === 'main' ? this.producer.name : `${this.producer.name}.${this.tag}`;
  }

  apply<O>(transform: PTransform<PCollection<T>, O>, name?: string): O {
    return this.pipeline.applyTo(this, transform, name);
  }

  map<O>(fn: (element: T) => O, name?: string): PCollection<O> {
    return this.apply(map(fn), name);
  }

  /** Like map, for a function returning a promise (one element in flight per step). */
  asyncMap<O>(fn: (element: T) => Promise<O>, name?: string): PCollection<O> {
    return this.apply(asyncMap(fn), name);
  }

  flatMap<O>(fn: (element: T) => Iterable<O>, name?: string): PCollection<O> {
    return this.apply(flatMap(fn), name);
  }

  filter<S extends T>(fn: ((element: T) => element is S) | ((element: T) => boolean), name?: string): PCollection<S> {
    return this.apply(filter<T, S>(fn), name);
  }

  parDo<O>(doFn: DoFn<T, O>, options: ParDoOptions = {}): PCollection<O> {
    return this.apply(parDo(doFn, options), options.name);
  }
}
