/**
 * What an unbounded source (a Pub/Sub subscription) needs from the runner to size
 * flow control and keep ack deadlines alive: how many of its batches and elements
 * were read but not acknowledged yet (windows hold them until they fire), and
 * since when. A drain fires every window, commits and acknowledges all of them.
 */
import { describe, expect, it } from 'vitest';
import {
  boundedSource,
  collect,
  DirectRunner,
  fixedWindows,
  groupBy,
  type PCollection,
  Pipeline,
  readFrom,
  type SourceContext,
  sum,
  unboundedSource,
  windowInto,
  writeTo,
} from '../../../pipelines/sdk/index.ts';
import { T0 } from './suite.ts';

const SEC = 1000;
type Sale = { region: string; cents: number };

/** A promise with its resolve, for waiting on events instead of time. */
function gate<T = void>() {
  let open: (value: T) => void = () => {};
  const opened = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('DirectRunner: unacknowledged batches, as a source sees them', () => {
  it('batches in an open window stay unacked (counted per source) until the window fires', async () => {
    const acked: string[] = [];
    const released = gate();
    const allAcked = gate();
    let ctx: SourceContext | undefined;
    const source = unboundedSource<Sale>('Subscription', async function* (c) {
      ctx = c;
      const ack = (name: string) => () => {
        acked.push(name);
        if (acked.length === 2) allAcked.open();
      };
      yield { values: [sale('n', 1), sale('s', 2), sale('n', 3)], timestamps: [1, 2, 3].map(at), ack: ack('a') };
      yield { values: [sale('n', 4), sale('s', 5)], timestamps: [4, 5].map(at), ack: ack('b') };
      await released.opened;
      yield { values: [], watermark: at(61) }; // the minute is over: window [0, 60) fires
      await new Promise(() => {}); // then an idle subscription
    });
    const p = new Pipeline();
    const read = p.apply(readFrom(source));
    const seen = gate();
    let passedThrough = 0;
    read.apply(
      writeTo<Sale>({
        name: 'Raw',
        async write(rows) {
          passedThrough += rows.length;
          if (passedThrough === 5) seen.open();
        },
      }),
    );
    const totals = collect(
      read.apply(windowInto<Sale>(fixedWindows(60))).apply(groupBy<Sale>('region').combining('cents', sum(), 'total')),
    );
    const t0 = Date.now();
    const result = new DirectRunner().run(p);

    // Both batches are committed to Raw, but the open minute still holds them.
    await seen.opened;
    const held = ctx?.unacked();
    expect(held).toMatchObject({ batches: 2, elements: 5 });
    expect(held?.oldestReadAt).toBeGreaterThanOrEqual(t0);
    expect(held?.oldestReadAt).toBeLessThanOrEqual(Date.now());
    expect(acked).toEqual([]);
    const counters = result.counters();
    expect(counters['Read(Subscription)/unackedBatches']).toBe(2);
    expect(counters['Read(Subscription)/unackedElements']).toBe(5);
    expect(counters['Read(Subscription)/oldestUnackedMs']).toBeGreaterThanOrEqual(0);

    released.open();
    await allAcked.opened;
    expect(acked.sort()).toEqual(['a', 'b']);
    expect(totals.sort((x, y) => String(x.region).localeCompare(String(y.region)))).toEqual([
      { region: 'n', total: 8 },
      { region: 's', total: 7 },
    ]);
    expect(ctx?.unacked()).toEqual({ batches: 0, elements: 0, oldestReadAt: undefined });
    expect(result.counters()['Read(Subscription)/oldestUnackedMs']).toBe(0);

    // The subscription is idle (its next message never comes): a drain still finishes.
    expect(await result.drain()).toBe('DONE');
  });

  it('counts a batch from the moment the runner read it, queued ones included', async () => {
    const BATCHES = 30;
    let acked = 0;
    const mismatches: string[] = [];
    const source = boundedSource<number>('Counted', async function* (ctx) {
      for (let b = 0; b < BATCHES; b++) {
        // What the source yielded and was not acked yet is exactly what the runner reports.
        const reported = ctx.unacked().batches;
        if (reported !== b - acked) mismatches.push(`before batch ${b}: runner ${reported}, source ${b - acked}`);
        yield {
          values: [b, b],
          ack: () => {
            acked++;
          },
        };
      }
    });
    const p = new Pipeline();
    p.apply(readFrom(source)).apply(
      writeTo<number>({
        name: 'Slow',
        async write() {
          await new Promise((r) => setImmediate(r));
        },
      }),
    );
    const result = new DirectRunner({ queueCapacity: 2, maxBundleSize: 4 }).run(p);
    await result.waitUntilFinish();
    expect(mismatches).toEqual([]);
    expect(acked).toBe(BATCHES);
    expect(result.counters()['Read(Counted)/unackedElements']).toBe(0);
  });

  it('drain fires windows still within allowed lateness, commits, acks everything and leaves no state', async () => {
    const acked: number[] = [];
    const read = gate();
    const source = unboundedSource<Sale>('Idle', async function* () {
      yield { values: [sale('n', 10)], timestamps: [at(5)], watermark: at(5), ack: () => void acked.push(0) };
      // Event time passes the window's end, but lateness keeps its state (and acks) around.
      yield { values: [sale('n', 1)], timestamps: [at(70)], watermark: at(70), ack: () => void acked.push(1) };
      read.open();
      await new Promise(() => {}); // no more messages, and this source ignores the abort signal
    });
    const p = new Pipeline();
    const panes: number[] = [];
    p.apply(readFrom(source))
      .apply(windowInto<Sale>(fixedWindows(60), { allowedLateness: 600 }))
      .apply(groupBy<Sale>('region').combining('cents', sum(), 'total'))
      .parDo({
        process(row, ctx) {
          panes.push((ctx.window.start - T0) / SEC, row.total as number);
        },
      });
    const result = new DirectRunner().run(p);
    await read.opened;
    expect(await result.drain()).toBe('DONE');
    // Window [0, 60) fired on time with 10; [60, 120) fired by the drain with 1.
    expect(panes).toEqual([0, 10, 60, 1]);
    expect(acked.sort()).toEqual([0, 1]);
    const counters = result.counters();
    expect(counters['GroupBy(region)/openWindows']).toBe(0);
    expect(counters['Read(Idle)/unackedBatches']).toBe(0);
    expect(counters['runner/inFlightBatches']).toBe(0);
  });

  it('holdAcks: false acks a batch once the sinks committed it, while its window is still open', async () => {
    const acked: string[] = [];
    const bothAcked = gate();
    const release = gate();
    const source = unboundedSource<Sale>('Subscription', async function* () {
      const ack = (name: string) => () => {
        acked.push(name);
        if (acked.length === 2) bothAcked.open();
      };
      yield { values: [sale('n', 1), sale('s', 2)], timestamps: [1, 2].map(at), watermark: at(2), ack: ack('a') };
      yield { values: [sale('n', 4)], timestamps: [4].map(at), watermark: at(4), ack: ack('b') };
      await release.opened;
      yield { values: [], watermark: at(61) };
      await new Promise(() => {});
    });
    const p = new Pipeline();
    const read = p.apply(readFrom(source));
    const order: string[] = [];
    read.apply(
      writeTo<Sale>({
        name: 'Commit',
        async write(rows) {
          order.push(`commit ${rows.length}`);
        },
      }),
    );
    panesPerRegion(read, order);
    const result = new DirectRunner().run(p);
    // Both batches are acked though window [0, 60) has not fired: nothing held them.
    await bothAcked.opened;
    expect(acked).toEqual(['a', 'b']);
    expect(order.some((o) => o.startsWith('panes'))).toBe(false);
    expect(result.counters()['GroupBy(region)/openWindows']).toBe(1);
    release.open();
    expect(await result.drain()).toBe('DONE');
    expect(order.filter((o) => o.startsWith('panes'))).toEqual(['panes n=5,s=2']);
  });

  it('a pane fired in a bundle is written after the sinks upstream of the window flushed that bundle', async () => {
    const order: string[] = [];
    const source = unboundedSource<Sale>('Subscription', async function* () {
      yield { values: [sale('n', 1)], timestamps: [at(1)], watermark: at(1), ack: () => {} };
      // One batch carries the minute's last sale and moves the watermark past its end.
      yield { values: [sale('n', 2)], timestamps: [at(59)], watermark: at(61), ack: () => {} };
    });
    const p = new Pipeline();
    const read = p.apply(readFrom(source));
    read.apply(
      writeTo<Sale>(
        {
          name: 'Commit',
          async write(rows) {
            order.push(`commit ${rows.map((r) => r.cents).join(',')}`);
          },
        },
        { batchSize: Number.POSITIVE_INFINITY },
      ),
    );
    panesPerRegion(read, order);
    await new DirectRunner({ maxBundleSize: 1_000_000, maxBundleMs: 60_000 }).run(p).waitUntilFinish();
    const commit2 = order.findIndex((o) => o.includes('2'));
    const panes = order.indexOf('panes n=3');
    expect(commit2).toBeGreaterThanOrEqual(0);
    expect(panes).toBeGreaterThan(commit2);
  });
});

/** Per-region minute totals of `input`, windowed without holding acks, written as "panes r=total,…" to `order`. */
function panesPerRegion(input: PCollection<Sale>, order: string[]): void {
  input
    .apply(windowInto<Sale>(fixedWindows(60), { holdAcks: false }))
    .apply(groupBy<Sale>('region').combining('cents', sum(), 'total'))
    .apply(
      writeTo<{ region: string; total: number }>({
        name: 'Panes',
        async write(rows) {
          order.push(`panes ${rows.map((r) => `${r.region}=${r.total}`).join(',')}`);
        },
      }),
    );
}

function sale(region: string, cents: number): Sale {
  return { region, cents };
}

function at(seconds: number): number {
  return T0 + seconds * SEC;
}
