import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../util/tmp.ts';
import {
  collect,
  create,
  DirectRunner,
  fixedWindows,
  groupBy,
  mapInWorkers,
  Pipeline,
  readFrom,
  type SourceBatch,
  StepError,
  sum,
  textFileSource,
  tryParDo,
  unboundedSource,
  boundedSource,
  windowInto,
  writeTo,
} from '../../../pipelines/sdk/index.ts';
import { handleStopSignals } from '../../../shared/stop-signals.ts';
import { suite, T0 } from './suite.ts';

suite('DirectRunner', () => new DirectRunner());
// Tiny bundles and queues exercise the bundle/commit paths on every element.
suite('DirectRunner (1-element bundles)', () => new DirectRunner({ maxBundleSize: 1, queueCapacity: 1 }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DirectRunner: backpressure', () => {
  it('a slow sink slows the source: batches read but not yet acked stay bounded', async () => {
    const BATCHES = 60;
    let pulled = 0;
    let acked = 0;
    let maxUnacked = 0;
    const source = boundedSource<number>('Fast', function* () {
      for (let b = 0; b < BATCHES; b++) {
        pulled++;
        maxUnacked = Math.max(maxUnacked, pulled - acked);
        yield {
          values: Array.from({ length: 10 }, (_, i) => b * 10 + i),
          ack: () => {
            acked++;
          },
        };
      }
    });
    const p = new Pipeline();
    const written: number[] = [];
    p.apply(readFrom(source)).apply(
      writeTo<number>(
        {
          name: 'Slow',
          async write(rows) {
            await sleep(2);
            written.push(...rows);
          },
        },
        { batchSize: 10 },
      ),
    );
    const queueCapacity = 2;
    const maxBundleSize = 20;
    const result = new DirectRunner({ queueCapacity, maxBundleSize }).run(p);
    await result.waitUntilFinish();
    expect(written).toHaveLength(BATCHES * 10);
    expect(acked).toBe(BATCHES);
    // In flight: the queue, one batch held by the pump, and one bundle (2 batches of 10).
    const bound = queueCapacity + 1 + maxBundleSize / 10;
    expect(maxUnacked).toBeLessThanOrEqual(bound);
    expect(result.counters()['runner/queueHighWater']).toBeLessThanOrEqual(queueCapacity);
    expect(result.counters()['runner/maxInFlightBatches']).toBeLessThanOrEqual(bound);
  });
});

describe('DirectRunner: drain and cancel', () => {
  type Sale = { region: string; cents: number };

  /**
   * An endless source: a batch per event-loop turn, 10 s of event time each, with
   * a watermark at its time. `pulled(n)` resolves once n batches were handed over.
   */
  function endless(acked: number[]) {
    let t = T0;
    let count = 0;
    const waiting: { n: number; resolve: () => void }[] = [];
    const source = unboundedSource<Sale>('Endless', async function* (ctx) {
      for (let i = 0; !ctx.signal.aborted; i++) {
        await new Promise((r) => setImmediate(r));
        t += 10_000;
        const batch: SourceBatch<Sale> = {
          values: [{ region: i % 2 ? 'n' : 's', cents: 1 }],
          timestamps: [t],
          watermark: t,
          ack: () => {
            acked.push(i);
          },
        };
        yield batch;
        count++;
        for (const w of waiting.filter((x) => x.n <= count)) w.resolve();
      }
    });
    const pulled = (n: number) => new Promise<void>((resolve) => waiting.push({ n, resolve }));
    return { source, pulled };
  }

  it('drain stops reading, fires open windows, acks everything read, and finishes DONE', async () => {
    const acked: number[] = [];
    const { source, pulled } = endless(acked);
    const p = new Pipeline();
    const totals = collect(
      p
        .apply(readFrom(source))
        .apply(windowInto<Sale>(fixedWindows(60)))
        .apply(groupBy<Sale>('region').combining('cents', sum(), 'total')),
    );
    const result = new DirectRunner().run(p);
    await pulled(5);
    expect(result.state).toBe('RUNNING');
    const state = await result.drain();
    expect(state).toBe('DONE');
    const read = result.counters()['Read(Endless)/elements'];
    expect(read).toBeGreaterThan(3);
    // Every element read landed in a fired window, and every batch read was acked.
    expect(totals.reduce((n, t) => n + (t.total as number), 0)).toBe(read);
    expect(acked.length).toBe(read);
  });

  it('installs no signal handlers: the application drains it through drainSignal', async () => {
    const acked: number[] = [];
    const { source, pulled } = endless(acked);
    const p = new Pipeline();
    collect(p.apply(readFrom(source)).map((x) => x.cents));
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    const stop = new AbortController();
    const result = new DirectRunner({ drainSignal: stop.signal }).run(p);
    await pulled(3);
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
    stop.abort();
    expect(await result.waitUntilFinish()).toBe('DONE');
    expect(acked.length).toBe(result.counters()['Read(Endless)/elements']);
  });

  it("a command's stop signals: the first drains, the second cancels", async () => {
    const acked: number[] = [];
    const { source, pulled } = endless(acked);
    // The first commit hangs (a warehouse that stopped answering) until released.
    let writing = () => {};
    const sinkCalled = new Promise<void>((resolve) => {
      writing = resolve;
    });
    let releaseSink = () => {};
    const p = new Pipeline();
    p.apply(readFrom(source)).apply(
      writeTo<Sale>({
        name: 'Stuck',
        write: () => {
          writing();
          return new Promise<void>((resolve) => {
            releaseSink = resolve;
          });
        },
      }),
    );
    const result = new DirectRunner().run(p);
    const signals = handleStopSignals({
      graceful: () => void result.drain().catch(() => {}),
      immediate: () => void result.cancel(),
    });
    try {
      await sinkCalled;
      await pulled(4); // queued behind the stuck commit
      process.emit('SIGTERM', 'SIGTERM');
      expect(result.state).toBe('DRAINING');
      process.emit('SIGTERM', 'SIGTERM');
      releaseSink();
      expect(await result.waitUntilFinish()).toBe('CANCELLED');
      // The write in flight completed, so its batch is acked; the batches queued behind it
      // (a drain would have committed them) are neither processed nor acked.
      expect(acked).toEqual([0]);
      expect(result.counters()['Read(Endless)/elements']).toBe(1);
    } finally {
      signals.dispose();
    }
  });

  it('cancel stops without firing windows or acking what is not committed', async () => {
    const acked: number[] = [];
    const { source, pulled } = endless(acked);
    const p = new Pipeline();
    const totals = collect(
      p
        .apply(readFrom(source))
        .apply(windowInto<Sale>(fixedWindows(3600)))
        .apply(groupBy<Sale>('region').combining('cents', sum(), 'total')),
    );
    const result = new DirectRunner().run(p);
    await pulled(5);
    expect(await result.cancel()).toBe('CANCELLED');
    expect(totals).toEqual([]);
    // The hour-long window never fired, so none of its batches may be acked.
    expect(acked).toEqual([]);
  });
});

describe('DirectRunner: sources', () => {
  const tmp = useTempDir();

  it('reads a text file with line numbers; a bad line is dead-lettered with where it was', async () => {
    const path = join(tmp(), 'sales.csv');
    writeFileSync(path, 'id,cents\n1,100\n2,oops\n3,250\n');
    const p = new Pipeline();
    const { output, failed } = p
      .apply(readFrom(textFileSource(path, { batchSize: 2 })))
      .filter((l) => l.line > 1)
      .apply(
        tryParDo<{ file: string; line: number; text: string }, number>({
          process(l, ctx) {
            const cents = Number(l.text.split(',')[1]);
            if (!Number.isInteger(cents)) throw new Error(`${l.file}:${l.line}: cents is not an integer`);
            ctx.output(cents);
          },
        }),
      );
    const ok = collect(output, 'Ok');
    const bad = collect(failed, 'Bad');
    await new DirectRunner().run(p).waitUntilFinish();
    expect(ok).toEqual([100, 250]);
    expect(bad).toHaveLength(1);
    expect(bad[0].element.line).toBe(3);
    expect(bad[0].error).toBe(`${path}:3: cents is not an integer`);
  });

  it('a failing source fails the pipeline, naming the read step', async () => {
    const p = new Pipeline();
    collect(
      p.apply(
        readFrom(
          boundedSource<number>('Broken', function* () {
            yield { values: [1] };
            throw new Error('connection reset');
          }),
        ),
      ),
    );
    const err = await new DirectRunner()
      .run(p)
      .waitUntilFinish()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepError);
    expect((err as StepError).message).toBe('step "Read(Broken)" failed: connection reset');
  });
});

describe('DirectRunner: window state', () => {
  it('drops window state once the watermark passes end + allowed lateness', async () => {
    const p = new Pipeline();
    let t = T0;
    const openSeen: number[] = [];
    const source = unboundedSource<number>('Minutes', async function* () {
      for (let i = 0; i < 50; i++) {
        t += 60_000; // one element per minute of event time, watermark right behind it
        yield { values: [1], timestamps: [t], watermark: t };
      }
      // Event time moves on with no data (first closing the last window), then one probe element.
      yield { values: [], watermark: t + 60_000 };
      yield { values: [], watermark: t + 600_000 };
      yield { values: [2], timestamps: [t + 600_000], watermark: t + 600_000 };
    });
    const read = p.apply(readFrom(source));
    // Created before the grouping, so it sees each element first.
    read.parDo({
      process() {
        openSeen.push(result.counters()['GroupBy(key)/openWindows']);
      },
    });
    read
      .apply(windowInto<number>(fixedWindows(60), { allowedLateness: 120 }))
      .apply(groupBy<number>((x) => x).combining((x) => x, sum(), 'n'));
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    expect(openSeen).toHaveLength(51);
    // Open windows: the current one plus those within 2 minutes of lateness, never the whole history.
    expect(Math.max(...openSeen)).toBeLessThanOrEqual(4);
    // After the watermark jumped 10 minutes, every old window was dropped.
    expect(openSeen.at(-1)).toBe(0);
    expect(result.counters()['GroupBy(key)/openWindows']).toBe(0);
  });
});

describe('DirectRunner: observers', () => {
  it('onBundleCommitted reports elements read after each commit (what a progress line draws)', async () => {
    const seen: { elementsRead: number; bundles: number }[] = [];
    const p = new Pipeline();
    collect(p.apply(readFrom(boundedSource('Nums', () => [{ values: [1, 2, 3] }, { values: [4, 5] }]))));
    await new DirectRunner({ maxBundleSize: 3, onBundleCommitted: (b) => seen.push({ ...b }) })
      .run(p)
      .waitUntilFinish();
    expect(seen).toEqual([
      { elementsRead: 3, bundles: 1 },
      { elementsRead: 5, bundles: 2 },
    ]);
  });

  it('a failed ack is a warning to onWarning, not a failure: the data is committed', async () => {
    const warnings: string[] = [];
    const p = new Pipeline();
    const out = collect(
      p.apply(
        readFrom(
          boundedSource('Flaky', () => [
            {
              values: [1],
              ack: () => {
                throw new Error('ack deadline expired');
              },
            },
          ]),
        ),
      ),
    );
    const result = new DirectRunner({ onWarning: (m) => warnings.push(m) }).run(p);
    expect(await result.waitUntilFinish()).toBe('DONE');
    expect(out).toEqual([1]);
    expect(warnings).toEqual(['ack failed (the source may redeliver): ack deadline expired']);
    expect(result.counters()['runner/ackFailures']).toBe(1);
  });
});

describe('mapInWorkers', () => {
  const heavy = new URL('./fixtures/heavy.ts', import.meta.url);

  it('maps in worker threads: same results as in-process, in input order, timestamps kept', async () => {
    const { score } = await import('./fixtures/heavy.ts');
    const sales = Array.from({ length: 1000 }, (_, i) => ({ id: i, cents: (i * 37) % 1000 }));
    const p = new Pipeline();
    const out = collect(
      p
        .apply(readFrom(boundedSource('Sales', () => [{ values: sales, timestamps: sales.map((s) => T0 + s.id) }])))
        .apply(
          mapInWorkers<{ id: number; cents: number }, { id: number; score: number }>(heavy, {
            exportName: 'score',
            batchSize: 64,
          }),
        )
        .parDo<[number, number, number]>({
          process(r, ctx) {
            ctx.output([r.id, ctx.timestamp - T0, r.score]);
          },
        }),
    );
    const inProcess = collect(
      p.apply(readFrom(boundedSource('Again', () => [{ values: sales }]))).map(score),
      'InProcess',
    );
    const result = new DirectRunner({ maxBundleSize: 300 }).run(p);
    await result.waitUntilFinish();
    expect(inProcess).toHaveLength(1000);
    expect(out).toEqual(inProcess.map((r) => [r.id, r.id, r.score]));
  });

  it('a throwing function fails the step, naming the element', async () => {
    const p = new Pipeline();
    p.apply(create([1, 7, 3])).apply(mapInWorkers<number, number>(heavy, { exportName: 'failOnSeven', workers: 1 }));
    await expect(new DirectRunner().run(p).waitUntilFinish()).rejects.toThrow(
      /step "MapInWorkers\(failOnSeven\)\.finishBundle" failed: seven is not allowed \(element 7\)/,
    );
  });

  it('an unknown export is a clear setup error', async () => {
    const p = new Pipeline();
    p.apply(create([1])).apply(mapInWorkers<number, number>(heavy, { exportName: 'nope', workers: 1 }));
    await expect(new DirectRunner().run(p).waitUntilFinish()).rejects.toThrow(/has no function export "nope"/);
  });
});
