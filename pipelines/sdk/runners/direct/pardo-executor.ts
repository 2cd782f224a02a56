/**
 * Runs one parDo step: the DoFn lifecycle, its context (the executor is the
 * context object, reused for every element: no allocation per element), tagged
 * outputs, side inputs and the error policy.
 */
import { SalesflowError, describeError } from '../../../../shared/errors.ts';
import { StepError } from '../../errors.ts';
import type { Counter, Distribution } from '../../metrics.ts';
import type { TransformNode } from '../../pipeline.ts';
import { FAILED_TAG } from '../../tags.ts';
import { type DoFn, type DoFnContext, elementwiseFnOf, type FailedElement } from '../../transforms/pardo.ts';
import { type BoundedWindow, GLOBAL_WINDOW, MIN_TIMESTAMP } from '../../windows.ts';
import type { AckScope } from './ack.ts';
import { type Emitter, type Execution, type Executor, isPromise, noopEmitter, OutputChain } from './executor.ts';

interface Parked {
  value: unknown;
  timestamp: number;
  window: BoundedWindow;
  scope: AckScope;
}

export class ParDoExecutor implements Executor, DoFnContext<unknown, Record<string, unknown>> {
  readonly step: string;
  timestamp = MIN_TIMESTAMP;
  window: BoundedWindow = GLOBAL_WINDOW;
  elementsIn = 0;
  failures = 0;
  // biome-ignore lint/suspicious/noExplicitAny: untyped at graph level.
  private readonly doFn: DoFn<any, any, any>;
  private readonly exec: Execution;
  private readonly onError: 'fail' | 'deadLetter';
  private readonly mainTag: string | undefined;
  private readonly emitters = new Map<string, Emitter>();
  private main: Emitter = noopEmitter;
  private readonly chain = new OutputChain();
  private readonly sideValues = new Map<string, unknown>();
  private readonly sideNames: string[];
  /** Elements that arrived before the side inputs were complete. */
  private parked: Parked[] | undefined;

  constructor(node: TransformNode, exec: Execution) {
    if (node.spec.kind !== 'pardo') throw new Error(`not a parDo: ${node.name}`);
    this.step = node.name;
    this.doFn = node.spec.doFn;
    this.exec = exec;
    this.onError = node.spec.onError;
    this.mainTag = node.spec.mainTag;
    this.sideNames = Object.keys(node.spec.sideInputs);
    if (this.sideNames.length > 0) this.parked = [];
    if (this.mainTag === undefined) {
      this.main = () => {
        throw new Error(
          `ctx.output(): this step has only tagged outputs (${node.outputs.size ? [...node.outputs.keys()].join(', ') : 'none'}); use ctx.outputTo(tag, value)`,
        );
      };
    }
    const simple = node.spec.onError === 'fail' && this.parked === undefined ? elementwiseFnOf(this.doFn) : undefined;
    this.process = simple === undefined ? this.processElement : this.direct(simple.kind, simple.fn);
    exec.registry.counterFrom(this.step, 'elements', () => this.elementsIn);
    exec.registry.counterFrom(this.step, 'failed', () => this.failures);
  }

  /** Wire an output tag to its consumers (called by the runner before execution). */
  connect(tag: string, emit: Emitter): void {
    this.emitters.set(tag, emit);
    if (tag === this.mainTag) this.main = emit;
  }

  // --- DoFnContext ---------------------------------------------------------------------------

  output(value: unknown): void {
    this.chain.push(this.main, value, this.timestamp, this.window);
  }

  outputTo(tag: string, value: unknown): void {
    const emit = this.emitters.get(tag);
    if (emit === undefined) {
      throw new StepError(
        this.step,
        new Error(`unknown output tag "${tag}" (declared: ${[...this.emitters.keys()].join(', ')})`),
      );
    }
    this.chain.push(emit, value, this.timestamp, this.window);
  }

  outputWithTimestamp(value: unknown, timestamp: number, window: BoundedWindow = this.window): void {
    this.chain.push(this.main, value, timestamp, window);
  }

  counter(name: string): Counter {
    return this.exec.registry.counter(this.step, name);
  }

  distribution(name: string): Distribution {
    return this.exec.registry.distribution(this.step, name);
  }

  sideInput<V = unknown>(name: string): V {
    if (!this.sideValues.has(name)) {
      throw new StepError(
        this.step,
        new Error(`no side input "${name}" (declared: ${this.sideNames.join(', ') || 'none'})`),
      );
    }
    return this.sideValues.get(name) as V;
  }

  // --- lifecycle -----------------------------------------------------------------------------

  setup(): void | Promise<void> {
    return this.lifecycle('setup', this.doFn.setup);
  }

  startBundle(): void | Promise<void> {
    return this.lifecycle('startBundle', this.doFn.startBundle);
  }

  finishBundle(): void | Promise<void> {
    return this.lifecycle('finishBundle', this.doFn.finishBundle);
  }

  async teardown(): Promise<void> {
    await this.doFn.teardown?.();
  }

  private lifecycle(
    what: string,
    // biome-ignore lint/suspicious/noExplicitAny: the DoFn method, if any.
    fn: ((ctx: any) => void | Promise<void>) | undefined,
  ): void | Promise<void> {
    if (fn === undefined) return;
    this.timestamp = MIN_TIMESTAMP;
    this.window = GLOBAL_WINDOW;
    const wrap = (e: unknown) => {
      this.chain.take();
      throw e instanceof StepError ? e : new StepError(`${this.step}.${what}`, e);
    };
    let r: void | Promise<void>;
    try {
      r = fn.call(this.doFn, this);
    } catch (e) {
      return wrap(e);
    }
    if (isPromise(r)) return r.then(() => this.chain.take(), wrap);
    return this.chain.take();
  }

  /** All side inputs are known: set them and process what was parked. */
  provideSideInputs(values: Map<string, unknown>): void | Promise<void> {
    for (const [k, v] of values) this.sideValues.set(k, v);
    const parked = this.parked ?? [];
    this.parked = undefined;
    if (parked.length === 0) return;
    const saved = this.exec.scope;
    return (async () => {
      for (const p of parked) {
        this.exec.scope = p.scope;
        this.exec.adopt(p.scope);
        const r = this.processElement(p.value, p.timestamp, p.window);
        if (r !== undefined) await r;
      }
      this.exec.scope = saved;
    })();
  }

  // --- elements ------------------------------------------------------------------------------

  /** The step's input: `processElement`, or a direct call for map/filter. */
  readonly process: Emitter;

  /** map/filter without the DoFn machinery: same results, errors and metrics. */
  private direct(kind: 'map' | 'filter', fn: (element: unknown) => unknown): Emitter {
    const step = this.step;
    if (kind === 'map') {
      return (value, timestamp, window) => {
        this.elementsIn++;
        let out: unknown;
        try {
          out = fn(value);
        } catch (e) {
          throw new StepError(step, e, value, true);
        }
        return this.main(out, timestamp, window);
      };
    }
    return (value, timestamp, window) => {
      this.elementsIn++;
      let keep: unknown;
      try {
        keep = fn(value);
      } catch (e) {
        throw new StepError(step, e, value, true);
      }
      if (keep) return this.main(value, timestamp, window);
    };
  }

  private readonly processElement: Emitter = (value, timestamp, window) => {
    if (this.parked !== undefined) return this.park(value, timestamp, window);
    this.elementsIn++;
    this.timestamp = timestamp;
    this.window = window;
    let r: void | Promise<void>;
    try {
      r = this.doFn.process(value, this);
    } catch (e) {
      return this.failed(e, value, timestamp, window);
    }
    if (r !== undefined && isPromise(r)) {
      return r.then(
        () => this.chain.take(),
        (e) => this.failed(e, value, timestamp, window),
      );
    }
    return this.chain.take();
  };

  private park(value: unknown, timestamp: number, window: BoundedWindow): void {
    // Keep the data's source batches un-acked until it is really processed.
    for (const t of this.exec.scope) t.retain();
    this.parked?.push({ value, timestamp, window, scope: this.exec.scope });
  }

  private failed(error: unknown, value: unknown, timestamp: number, window: BoundedWindow): void | Promise<void> {
    // Outputs already emitted for this element still complete (or fail) first.
    const before = this.chain.take();
    const route = (): void | Promise<void> => {
      // A downstream step's failure is already attributed to that step.
      if (error instanceof StepError) throw error;
      if (this.onError === 'fail') throw new StepError(this.step, error, value, true);
      this.failures++;
      const record: FailedElement<unknown> = {
        element: value,
        step: this.step,
        error: describeError(error),
        code: error instanceof SalesflowError ? error.code : 'ERROR',
        retry: error instanceof SalesflowError ? error.retry : 'terminal',
      };
      this.timestamp = timestamp;
      this.window = window;
      this.chain.push(this.emitters.get(FAILED_TAG) ?? noopEmitter, record, timestamp, window);
      return this.chain.take();
    };
    return before === undefined ? route() : before.then(route);
  }
}
