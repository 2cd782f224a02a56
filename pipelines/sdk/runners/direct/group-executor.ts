/**
 * Runs the grouping primitive: keyed state per window. Each (window, key) keeps
 * one CombineFn accumulator (groupByKey's is the list of values). A window fires
 * when the input watermark reaches its end; with allowed lateness it stays open
 * for late data, which fires as extra (late) panes at the end of the bundle.
 * Session windows merge per key. Each window state holds the ack tokens of the
 * data it absorbed, and hands them to the bundle that emits it.
 */
import { StepError } from '../../errors.ts';
import type { TransformNode } from '../../pipeline.ts';
import type { CombineFn } from '../../transforms/combine-fn.ts';
import { type BoundedWindow, GLOBAL_WINDOW, maxTimestampOf, type WindowingStrategy } from '../../windows.ts';
import type { AckScope, AckToken } from './ack.ts';
import { type Emitter, type Execution, type Executor, noopEmitter } from './executor.ts';

interface Entry {
  key: unknown;
  acc: unknown;
}

interface WindowState {
  window: BoundedWindow;
  /** Encoded key → accumulator (one entry per session state for merging windows). */
  keys: Map<unknown, Entry>;
  tokens: Set<AckToken>;
  lastScope: AckScope | undefined;
  /** The on-time pane was emitted; the state lives on for late data until end + lateness. */
  fired: boolean;
  /** Late data arrived since the last pane. */
  dirty: boolean;
}

interface Out {
  value: unknown;
  window: BoundedWindow;
  scope: AckScope;
}

/** Map keys compare primitives by value; objects and arrays by a canonical JSON text. */
function encodeKey(key: unknown): unknown {
  if (typeof key !== 'object' || key === null) return key;
  return `\u0000${JSON.stringify(key, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`;
}

export class GroupExecutor implements Executor {
  readonly step: string;
  /** Input watermark (epoch ms). */
  watermark = Number.NEGATIVE_INFINITY;
  elementsIn = 0;
  droppedLate = 0;
  private readonly exec: Execution;
  private readonly keyFn: (el: unknown) => unknown;
  private readonly valueFn: ((el: unknown) => unknown) | undefined;
  private readonly fn: CombineFn<unknown, unknown, unknown>;
  private readonly global: boolean;
  private readonly windowing: WindowingStrategy;
  private readonly latenessMs: number;
  private readonly merging: boolean;
  private out: Emitter = noopEmitter;
  /** Non-merging windows by window id. */
  private readonly windows = new Map<number, WindowState>();
  /** Merging (session) windows: encoded key → that key's disjoint sessions. */
  private readonly sessions = new Map<unknown, WindowState[]>();
  private lastWindow: BoundedWindow | undefined;
  private lastState: WindowState | undefined;
  /** Earliest watermark at which a scan can find work (fire or GC). */
  private nextDue = Number.POSITIVE_INFINITY;
  private anyDirty = false;
  private emittedAny = false;

  constructor(node: TransformNode, exec: Execution) {
    if (node.spec.kind !== 'group') throw new Error(`not a group step: ${node.name}`);
    this.step = node.name;
    this.exec = exec;
    this.keyFn = node.spec.keyFn;
    this.valueFn = node.spec.valueFn;
    this.fn = node.spec.combineFn;
    this.global = node.spec.global;
    this.windowing = node.inputs[0].windowing;
    this.latenessMs = this.windowing.allowedLatenessMs;
    this.merging = this.windowing.windowFn.merging;
    exec.registry.counterFrom(this.step, 'elements', () => this.elementsIn);
    exec.registry.counterFrom(this.step, 'droppedLate', () => this.droppedLate);
    exec.registry.counterFrom(this.step, 'openWindows', () => this.openWindows);
  }

  connect(_tag: string, emit: Emitter): void {
    this.out = emit;
  }

  /** Open windows (for tests and memory accounting). */
  get openWindows(): number {
    let n = this.windows.size;
    for (const list of this.sessions.values()) n += list.length;
    return n;
  }

  readonly process: Emitter = (value, _timestamp, window) => {
    if (window.end + this.latenessMs <= this.watermark) {
      this.droppedLate++;
      return;
    }
    this.elementsIn++;
    try {
      if (this.merging) this.addToSession(value, window);
      else {
        const st = window === this.lastWindow ? (this.lastState as WindowState) : this.stateFor(window);
        const key = this.keyFn(value);
        const ek = typeof key === 'object' && key !== null ? encodeKey(key) : key;
        let entry = st.keys.get(ek);
        if (entry === undefined) {
          entry = { key, acc: this.fn.createAccumulator() };
          st.keys.set(ek, entry);
        }
        entry.acc = this.fn.addInput(entry.acc, this.valueFn === undefined ? value : this.valueFn(value));
        if (this.exec.scope !== st.lastScope || st.fired) this.hold(st);
      }
    } catch (e) {
      throw new StepError(this.step, e, value, true);
    }
  };

  private stateFor(window: BoundedWindow): WindowState {
    const id = this.windowing.windowFn.windowId(window);
    let st = this.windows.get(id);
    if (st === undefined) {
      st = this.newState(window);
      this.windows.set(id, st);
    }
    this.lastWindow = window;
    this.lastState = st;
    return st;
  }

  private newState(window: BoundedWindow): WindowState {
    if (window.end < this.nextDue) this.nextDue = window.end;
    return { window, keys: new Map(), tokens: new Set(), lastScope: undefined, fired: false, dirty: false };
  }

  /** Retain the current data's ack tokens in this state; mark a late pane if already fired. */
  private hold(st: WindowState): void {
    const scope = this.exec.scope;
    if (scope !== st.lastScope) {
      st.lastScope = scope;
      for (const t of scope) {
        if (!st.tokens.has(t)) {
          t.retain();
          st.tokens.add(t);
        }
      }
    }
    if (st.fired) {
      st.dirty = true;
      this.anyDirty = true;
    }
  }

  private addToSession(value: unknown, proto: BoundedWindow): void {
    const key = this.keyFn(value);
    const ek = encodeKey(key);
    let list = this.sessions.get(ek);
    if (list === undefined) {
      list = [];
      this.sessions.set(ek, list);
    }
    let acc = this.fn.addInput(this.fn.createAccumulator(), this.valueFn === undefined ? value : this.valueFn(value));
    let start = proto.start;
    let end = proto.end;
    const absorbed: WindowState[] = [];
    const kept: WindowState[] = [];
    for (const s of list) {
      if (s.window.start < proto.end && proto.start < s.window.end) absorbed.push(s);
      else kept.push(s);
    }
    const tokens = new Set<AckToken>();
    if (absorbed.length > 0) {
      acc = this.fn.mergeAccumulators([...absorbed.map((s) => (s.keys.get(ek) as Entry).acc), acc]);
      for (const s of absorbed) {
        start = Math.min(start, s.window.start);
        end = Math.max(end, s.window.end);
        for (const t of s.tokens) tokens.add(t);
      }
    }
    const st = this.newState(
      absorbed.length === 1 && start === absorbed[0].window.start && end === absorbed[0].window.end
        ? absorbed[0].window
        : { start, end },
    );
    st.tokens = tokens;
    st.keys.set(ek, { key, acc });
    // A session that is already past the watermark (late data within lateness) fires as a late pane.
    st.fired = end <= this.watermark;
    kept.push(st);
    this.sessions.set(ek, kept);
    this.hold(st);
  }

  private *states(): Iterable<WindowState> {
    yield* this.windows.values();
    for (const list of this.sessions.values()) yield* list;
  }

  /** At bundle commit: fire the late panes that collected data during this bundle. */
  finishBundle(): void | Promise<void> {
    if (!this.anyDirty) return;
    this.anyDirty = false;
    const due = [...this.states()].filter((s) => s.dirty);
    return this.emit(due);
  }

  /** The input watermark moved to `watermark`: fire due windows, drop expired state. */
  onWatermark(watermark: number): void | Promise<void> {
    if (watermark <= this.watermark) return;
    this.watermark = watermark;
    let result: Promise<void> | undefined;
    if (watermark >= this.nextDue || this.anyDirty) {
      const due: WindowState[] = [];
      let next = Number.POSITIVE_INFINITY;
      for (const s of this.states()) {
        const fires = (!s.fired && s.window.end <= watermark) || s.dirty;
        if (fires) due.push(s);
        // Next wake-up: its end (to fire), or end + lateness (to be dropped) once fired.
        const wake = s.fired || fires ? s.window.end + this.latenessMs : s.window.end;
        if (wake > watermark && wake < next) next = wake;
      }
      this.nextDue = next;
      this.anyDirty = false;
      due.sort((a, b) => a.window.end - b.window.end || a.window.start - b.window.start);
      if (due.length > 0) result = this.emit(due);
      else this.collectGarbage();
    }
    if (
      watermark === Number.POSITIVE_INFINITY &&
      this.global &&
      !this.emittedAny &&
      this.windowing.windowFn.kind === 'global'
    ) {
      // combineGlobally of empty global input still has a result (sum 0, count 0).
      this.emittedAny = true;
      const empty = this.fn.extractOutput(this.fn.createAccumulator());
      const prev = result;
      const emitEmpty = () => this.out(empty, maxTimestampOf(GLOBAL_WINDOW), GLOBAL_WINDOW);
      if (prev !== undefined) result = prev.then(emitEmpty);
      else {
        const r = emitEmpty();
        if (r !== undefined) result = r;
      }
    }
    return result;
  }

  /** Emit one pane per state (in order), then reset or drop the state. */
  private emit(due: WindowState[]): Promise<void> | undefined {
    if (due.length === 0) return undefined;
    const outs: Out[] = [];
    for (const st of due) {
      const scope = [...st.tokens];
      this.exec.adopt(scope);
      st.tokens = new Set();
      st.lastScope = undefined;
      for (const entry of st.keys.values()) {
        let result: unknown;
        try {
          result = this.fn.extractOutput(entry.acc);
        } catch (e) {
          throw new StepError(this.step, e, entry.key, true);
        }
        outs.push({ value: this.global ? result : [entry.key, result], window: st.window, scope });
      }
      this.emittedAny = true;
      st.fired = true;
      st.dirty = false;
      if (this.windowing.accumulation === 'discarding') {
        if (this.merging) for (const e of st.keys.values()) e.acc = this.fn.createAccumulator();
        else st.keys.clear();
      }
    }
    this.collectGarbage();
    return this.send(outs, 0);
  }

  private collectGarbage(): void {
    const expired = (s: WindowState) => s.fired && !s.dirty && s.window.end + this.latenessMs <= this.watermark;
    for (const [id, s] of this.windows) if (expired(s)) this.windows.delete(id);
    for (const [k, list] of this.sessions) {
      const live = list.filter((s) => !expired(s));
      if (live.length === 0) this.sessions.delete(k);
      else if (live.length !== list.length) this.sessions.set(k, live);
    }
    this.lastWindow = undefined;
    this.lastState = undefined;
  }

  private send(outs: Out[], from: number): Promise<void> | undefined {
    for (let i = from; i < outs.length; i++) {
      const o = outs[i];
      // Downstream keyed state must retain the tokens of what it receives now.
      this.exec.scope = o.scope;
      const r = this.out(o.value, maxTimestampOf(o.window), o.window);
      if (r !== undefined) return r.then(() => this.send(outs, i + 1));
    }
    return undefined;
  }
}
