/**
 * The SDK's semantics suite, in the style of Beam's: every runner must pass it.
 * `suite(name, makeRunner)` registers the tests; assertions compare what the
 * pipeline wrote to a collecting sink.
 */
import { describe, expect, it } from 'vitest';
import { InputError, TransientError } from '../../../shared/errors.ts';
import {
  asMap,
  assignTimestamps,
  collect,
  combineGlobally,
  combinePerKey,
  count,
  create,
  type DoFn,
  fixedWindows,
  flatten,
  groupBy,
  groupByKey,
  max,
  mean,
  min,
  P,
  type PCollection,
  Pipeline,
  type Runner,
  readFrom,
  sessions,
  slidingWindows,
  StepError,
  split,
  sum,
  sumBigInt,
  TestStream,
  topN,
  tryParDo,
  windowInto,
  windowIntoWithLate,
  withName,
  withOutputs,
  writeTo,
} from '../../../pipelines/sdk/index.ts';

/** 2026-11-22T10:00:00Z: event times in tests are offsets from here. */
export const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const SEC = 1000;

const byKey = <T extends readonly unknown[]>(a: T, b: T) => String(a[0]).localeCompare(String(b[0]));

export function suite(name: string, makeRunner: () => Runner): void {
  const run = async (p: Pipeline) => {
    const result = makeRunner().run(p);
    await result.waitUntilFinish();
    return result;
  };

  describe(`${name}: element-wise`, () => {
    it('map, filter and flatMap', async () => {
      const p = new Pipeline();
      const out = collect(
        p
          .apply(create([1, 2, 3, 4]))
          .map((x) => x * 10)
          .filter((x) => x !== 20)
          .flatMap((x) => [x, -x]),
      );
      await run(p);
      expect(out.sort((a, b) => a - b)).toEqual([-40, -30, -10, 10, 30, 40]);
    });

    it('async DoFns (asyncMap, async process) complete in order before the bundle commits', async () => {
      const p = new Pipeline();
      const out = collect(
        p
          .apply(create(['a', 'b', 'c']))
          .asyncMap(async (s) => {
            await new Promise((r) => setTimeout(r, 2));
            return s.toUpperCase();
          })
          .parDo<string>({
            async process(s, ctx) {
              await Promise.resolve();
              ctx.output(`${s}1`);
              ctx.output(`${s}2`);
            },
          }),
      );
      await run(p);
      expect(out).toEqual(['A1', 'A2', 'B1', 'B2', 'C1', 'C2']);
    });

    it('DoFn lifecycle: setup/teardown once, start/finishBundle around bundles, outputs from finishBundle', async () => {
      const calls: string[] = [];
      class Batching implements DoFn<number, number[]> {
        private buf: number[] = [];
        setup() {
          calls.push('setup');
        }
        startBundle() {
          calls.push('start');
        }
        process(x: number) {
          this.buf.push(x);
        }
        finishBundle(ctx: { output(v: number[]): void }) {
          calls.push('finish');
          if (this.buf.length > 0) ctx.output(this.buf);
          this.buf = [];
        }
        teardown() {
          calls.push('teardown');
        }
      }
      const p = new Pipeline();
      const out = collect(p.apply(create([1, 2, 3])).parDo(new Batching()));
      await run(p);
      expect(out.flat().sort()).toEqual([1, 2, 3]);
      expect(calls[0]).toBe('setup');
      expect(calls.at(-1)).toBe('teardown');
      expect(calls.filter((c) => c === 'setup')).toHaveLength(1);
      expect(calls.filter((c) => c === 'start').length).toBe(calls.filter((c) => c === 'finish').length);
    });

    it('tagged outputs: withOutputs routes valid and invalid in one pass; split does the same by key', async () => {
      const p = new Pipeline();
      const rows = p.apply(create(['1', 'x', '3', '']));
      const { valid, invalid } = rows.apply(
        withOutputs<string, { valid: number; invalid: { row: string; reason: string } }>(['valid', 'invalid'], {
          process(row, ctx) {
            const n = Number(row);
            if (row !== '' && Number.isInteger(n)) ctx.outputTo('valid', n);
            else ctx.outputTo('invalid', { row, reason: 'not an integer' });
          },
        }),
      );
      const v = collect(valid, 'Valid');
      const inv = collect(invalid, 'Invalid');
      const parts = p
        .apply(create([1, 2, 3, 4]), 'Numbers')
        .map((n) => (n % 2 === 0 ? { even: n } : { odd: n }))
        .apply(split<{ even: number; odd: number }>(['even', 'odd']));
      const even = collect(parts.even, 'Even');
      const odd = collect(parts.odd, 'Odd');
      await run(p);
      expect(v.sort()).toEqual([1, 3]);
      expect(inv.map((i) => i.row).sort()).toEqual(['', 'x']);
      expect(even.sort()).toEqual([2, 4]);
      expect(odd.sort()).toEqual([1, 3]);
    });

    it('flatten merges collections', async () => {
      const p = new Pipeline();
      const a = p.apply(create([1, 2]), 'A');
      const b = p.apply(create([3]), 'B');
      const out = collect(P([a, b]).apply(flatten()));
      await run(p);
      expect(out.sort()).toEqual([1, 2, 3]);
    });

    it('side inputs: an enrichment join with a small dimension table', async () => {
      const p = new Pipeline();
      const regions = p.apply(create([['n', 'North'] as const, ['s', 'South'] as const]), 'Regions');
      const out = collect(
        p
          .apply(
            create([
              { id: 1, r: 'n' },
              { id: 2, r: 's' },
              { id: 3, r: 'n' },
            ]),
            'Sales',
          )
          .parDo<string>(
            {
              process(sale, ctx) {
                const names = ctx.sideInput<ReadonlyMap<string, string>>('regions');
                ctx.output(`${sale.id}:${names.get(sale.r)}`);
              },
            },
            { sideInputs: { regions: asMap(regions) } },
          ),
      );
      await run(p);
      expect(out.sort()).toEqual(['1:North', '2:South', '3:North']);
    });

    it('empty input: element-wise steps emit nothing, combineGlobally emits its empty result', async () => {
      const p = new Pipeline();
      const empty = p.apply(create<number>([]));
      const mapped = collect(
        empty.map((x) => x + 1),
        'Mapped',
      );
      const grouped = collect(empty.map((x) => [x, x] as const).apply(groupByKey()), 'Grouped');
      const total = collect(empty.apply(combineGlobally(sum())), 'Total');
      const n = collect(empty.apply(combineGlobally(count())), 'Count');
      await run(p);
      expect(mapped).toEqual([]);
      expect(grouped).toEqual([]);
      expect(total).toEqual([0]);
      expect(n).toEqual([0]);
    });
  });

  describe(`${name}: grouping and combining`, () => {
    it('groupByKey groups every value; keys compare by value, objects by content', async () => {
      const p = new Pipeline();
      const out = collect(
        p
          .apply(
            create([
              ['a', 1],
              ['b', 2],
              ['a', 3],
              [{ k: 1 }, 4],
              [{ k: 1 }, 5],
            ] as [unknown, number][]),
          )
          .apply(groupByKey<unknown, number>()),
      );
      await run(p);
      const norm = out.map(([k, vs]) => [JSON.stringify(k), [...vs].sort()] as const).sort(byKey);
      expect(norm).toEqual([
        ['"a"', [1, 3]],
        ['"b"', [2]],
        ['{"k":1}', [4, 5]],
      ]);
    });

    it('sums of integer cents are exact beyond 2^53 (sumBigInt) and sum() refuses to round', async () => {
      const big = 2 ** 53 - 1; // 90 trillion dollars in cents, each
      const p = new Pipeline();
      const input = p.apply(create([big, big, 1, 2]));
      const exact = collect(input.apply(combineGlobally(sumBigInt())), 'Exact');
      const small = collect(
        p.apply(create([0.1, 0.2].map((x) => Math.round(x * 100))), 'Cents').apply(combineGlobally(sum())),
        'Small',
      );
      await run(p);
      expect(exact).toEqual([2n * BigInt(big) + 3n]);
      expect(small).toEqual([30]);

      const q = new Pipeline();
      q.apply(create([big, big])).apply(combineGlobally(sum()));
      await expect(run(q)).rejects.toThrow(/beyond Number.MAX_SAFE_INTEGER.*sumBigInt/);
    });

    it('built-in combiners per key: sum, count, mean, min, max, topN', async () => {
      const sales = [
        { region: 'n', cents: 1999 },
        { region: 's', cents: 500 },
        { region: 'n', cents: 1 },
        { region: 'n', cents: 300 },
      ];
      const p = new Pipeline();
      const out = collect(
        p
          .apply(create(sales))
          .apply(
            groupBy<(typeof sales)[number]>('region')
              .combining('cents', sum(), 'total')
              .combining('cents', count(), 'n')
              .combining('cents', mean(), 'avg')
              .combining('cents', min<number>(), 'lo')
              .combining('cents', max<number>(), 'hi')
              .combining('cents', topN<number>(2), 'top2'),
          ),
      );
      const perKey = collect(
        p
          .apply(create(sales), 'Again')
          .map((s) => [s.region, s.cents] as const)
          .apply(combinePerKey(sum())),
        'PerKey',
      );
      await run(p);
      expect(out.sort((a, b) => String(a.region).localeCompare(String(b.region)))).toEqual([
        { region: 'n', total: 2300, n: 3, avg: 2300 / 3, lo: 1, hi: 1999, top2: [1999, 300] },
        { region: 's', total: 500, n: 1, avg: 500, lo: 500, hi: 500, top2: [500] },
      ]);
      expect(perKey.sort(byKey)).toEqual([
        ['n', 2300],
        ['s', 500],
      ]);
    });

    it('groupBy several fields and a key function', async () => {
      const p = new Pipeline();
      const input = p.apply(
        create([
          { r: 'n', c: 'toys', cents: 1 },
          { r: 'n', c: 'toys', cents: 2 },
          { r: 'n', c: 'food', cents: 4 },
        ]),
      );
      type Row = { r: string; c: string; cents: number };
      const multi = collect(input.apply(groupBy<Row>(['r', 'c']).combining('cents', sum(), 'total')), 'Multi');
      const fn = collect(
        input.apply(groupBy<Row>((x) => x.c.length).combining((x) => x.cents * 2, sum(), 'double')),
        'Fn',
      );
      await run(p);
      expect(multi.sort((a, b) => String(a.c).localeCompare(String(b.c)))).toEqual([
        { r: 'n', c: 'food', total: 4 },
        { r: 'n', c: 'toys', total: 3 },
      ]);
      expect(fn).toEqual([{ key: 4, double: 14 }]);
    });

    it('results do not depend on input order', async () => {
      const values = Array.from({ length: 500 }, (_, i) => ({ k: `k${i % 7}`, v: (i * 7919) % 1000 }));
      const shuffled = [...values].sort((a, b) => ((a.v * 31) % 17) - ((b.v * 31) % 17));
      const totals = async (input: typeof values) => {
        const p = new Pipeline();
        const out = collect(
          p.apply(create(input)).apply(groupBy<(typeof values)[number]>('k').combining('v', sum(), 's')),
        );
        await run(p);
        return out.sort((a, b) => String(a.k).localeCompare(String(b.k)));
      };
      expect(await totals(shuffled)).toEqual(await totals(values));
      expect(await totals([...values].reverse())).toEqual(await totals(values));
    });
  });

  describe(`${name}: windows and event time`, () => {
    const at = (s: number, region = 'n', cents = 1) => ({ region, cents, ts: T0 + s * SEC });
    type Sale = ReturnType<typeof at>;
    const totalsPerWindow = (p: Pipeline, sales: Sale[], windowFn: Parameters<typeof windowInto>[0]) => {
      const results: { start: number; end: number; region: string; total: number }[] = [];
      p.apply(create(sales))
        .apply(assignTimestamps((s: Sale) => s.ts))
        .apply(windowInto(windowFn))
        .apply(groupBy<Sale>('region').combining('cents', sum(), 'total'))
        .parDo<{ start: number; end: number; region: string; total: number }>({
          process(r, ctx) {
            ctx.output({
              start: (ctx.window.start - T0) / SEC,
              end: (ctx.window.end - T0) / SEC,
              region: r.region as string,
              total: r.total as number,
            });
          },
        })
        .apply(
          writeTo({
            name: 'Results',
            async write(rows) {
              results.push(...rows);
            },
          }),
        );
      return results;
    };
    const sorted = <T extends { start: number; region: string }>(rows: T[]) =>
      rows.sort((a, b) => a.start - b.start || a.region.localeCompare(b.region));

    it('fixed windows', async () => {
      const p = new Pipeline();
      const out = totalsPerWindow(p, [at(1), at(59), at(60), at(61, 's', 5), at(130)], fixedWindows(60));
      await run(p);
      expect(sorted(out)).toEqual([
        { start: 0, end: 60, region: 'n', total: 2 },
        { start: 60, end: 120, region: 'n', total: 1 },
        { start: 60, end: 120, region: 's', total: 5 },
        { start: 120, end: 180, region: 'n', total: 1 },
      ]);
    });

    it('sliding windows put an element in size/period windows', async () => {
      const p = new Pipeline();
      const out = totalsPerWindow(p, [at(10), at(40)], slidingWindows(60, 30));
      await run(p);
      expect(sorted(out)).toEqual([
        { start: -30, end: 30, region: 'n', total: 1 },
        { start: 0, end: 60, region: 'n', total: 2 },
        { start: 30, end: 90, region: 'n', total: 1 },
      ]);
    });

    it('session windows merge per key while gaps stay under the gap', async () => {
      const p = new Pipeline();
      // n: 0, 5, 12 → one session [0, 22); 40 → [40, 50). s: 8 → [8, 18).
      const out = totalsPerWindow(p, [at(12), at(0), at(40), at(5), at(8, 's', 7)], sessions(10));
      await run(p);
      expect(sorted(out)).toEqual([
        { start: 0, end: 22, region: 'n', total: 3 },
        { start: 8, end: 18, region: 's', total: 7 },
        { start: 40, end: 50, region: 'n', total: 1 },
      ]);
    });

    it('windows fire when the watermark passes their end; late data goes to a tagged output', async () => {
      const stream = new TestStream<{ region: string; cents: number }>()
        .addElements({ value: { region: 'n', cents: 1 }, timestamp: T0 + 5 * SEC })
        .addElements({ value: { region: 'n', cents: 2 }, timestamp: T0 + 30 * SEC })
        .advanceWatermarkTo(T0 + 61 * SEC)
        .addElements({ value: { region: 'n', cents: 100 }, timestamp: T0 + 10 * SEC }) // late: window [0,60) closed
        .addElements({ value: { region: 'n', cents: 4 }, timestamp: T0 + 70 * SEC });
      const p = new Pipeline();
      const { main, late } = p
        .apply(readFrom(stream.source()))
        .apply(windowIntoWithLate<{ region: string; cents: number }>(fixedWindows(60)));
      const fired: string[] = [];
      main.apply(groupBy<{ region: string; cents: number }>('region').combining('cents', sum(), 'total')).parDo({
        process(r, ctx) {
          fired.push(`${(ctx.window.start - T0) / SEC}:${r.total}`);
        },
      });
      const lateOut = collect(late, 'Late');
      const result = await run(p);
      expect(fired).toEqual(['0:3', '60:4']);
      expect(lateOut).toEqual([{ region: 'n', cents: 100 }]);
      expect(result.counters()['WindowInto(fixed)/late']).toBe(1);
      expect(stream.acked.sort()).toEqual([0, 1, 2, 3]);
    });

    it('allowed lateness: late data within it fires a late pane (accumulating by default)', async () => {
      const stream = new TestStream<number>()
        .addElements({ value: 1, timestamp: T0 + 5 * SEC })
        .advanceWatermarkTo(T0 + 65 * SEC)
        .addElements({ value: 10, timestamp: T0 + 6 * SEC }) // late but within 30 s of lateness
        .advanceWatermarkTo(T0 + 200 * SEC)
        .addElements({ value: 100, timestamp: T0 + 7 * SEC }); // beyond lateness: dropped, counted
      const p = new Pipeline();
      const panes = collect(
        p
          .apply(readFrom(stream.source()))
          .apply(windowInto<number>(fixedWindows(60), { allowedLateness: 30 }))
          .apply(combineGlobally(sum())),
      );
      const result = await run(p);
      expect(panes).toEqual([1, 11]);
      expect(result.counters()['WindowInto(fixed)/droppedLate']).toBe(1);
    });
  });

  describe(`${name}: metrics`, () => {
    it('counters and distributions are named after the step', async () => {
      const p = new Pipeline();
      p.apply(create([5, 15, 25])).parDo<number>(
        {
          process(x, ctx) {
            ctx.counter('big').inc(x > 10 ? 1 : 0);
            ctx.distribution('size').update(x);
            ctx.output(x);
          },
        },
        { name: 'Measure' },
      );
      const result = await run(p);
      expect(result.counters()['Measure/big']).toBe(2);
      expect(result.counters()['Measure/elements']).toBe(3);
      expect(result.metrics().distributions['Measure/size']).toEqual({ count: 3, sum: 45, min: 5, max: 25 });
    });
  });

  describe(`${name}: streaming compositions`, () => {
    it('a second grouping downstream of a first sees its results on time; acks wait for both', async () => {
      const stream = new TestStream<{ region: string; cents: number }>()
        .addElements({ value: { region: 'n', cents: 1 }, timestamp: T0 + 1 * SEC })
        .addElements({ value: { region: 's', cents: 2 }, timestamp: T0 + 2 * SEC })
        .advanceWatermarkTo(T0 + 60 * SEC)
        .addElements({ value: { region: 'n', cents: 4 }, timestamp: T0 + 61 * SEC });
      const seenAcks: number[][] = [];
      const p = new Pipeline();
      p.apply(readFrom(stream.source()))
        .apply(windowInto<{ region: string; cents: number }>(fixedWindows(60)))
        .apply(groupBy<{ region: string; cents: number }>('region').combining('cents', sum(), 'total'))
        .map((r) => r.total as number)
        .apply(combineGlobally(sum()))
        .apply(
          writeTo({
            name: 'Minute',
            async write(rows) {
              seenAcks.push([...stream.acked]);
              for (const r of rows) seenAcks.push([r]);
            },
          }),
        );
      await run(p);
      // Window [0,60): 1 + 2, written before batches 0 and 1 were acked; then [60,120): 4.
      expect(seenAcks[0]).not.toContain(0);
      expect(seenAcks[0]).not.toContain(1);
      expect(seenAcks.filter((_x, i) => i % 2 === 1)).toEqual([[3], [4]]);
      expect(stream.acked.sort()).toEqual([0, 1, 2]);
    });

    it('discarding accumulation: a late pane carries only the late data', async () => {
      const stream = new TestStream<number>()
        .addElements({ value: 1, timestamp: T0 + 5 * SEC })
        .advanceWatermarkTo(T0 + 65 * SEC)
        .addElements({ value: 10, timestamp: T0 + 6 * SEC });
      const p = new Pipeline();
      const panes = collect(
        p
          .apply(readFrom(stream.source()))
          .apply(windowInto<number>(fixedWindows(60), { allowedLateness: 30, accumulation: 'discarding' }))
          .apply(combineGlobally(sum())),
      );
      await run(p);
      expect(panes).toEqual([1, 10]);
    });

    it('side inputs are complete before unbounded main input is processed', async () => {
      const stream = new TestStream<string>()
        .addElements({ value: 'n', timestamp: T0 })
        .addElements({ value: 's', timestamp: T0 + SEC });
      const p = new Pipeline();
      const names = p.apply(create([['n', 'North'] as const, ['s', 'South'] as const]));
      const out = collect(
        p.apply(readFrom(stream.source())).parDo<string>(
          {
            process(code, ctx) {
              ctx.output(ctx.sideInput<ReadonlyMap<string, string>>('names').get(code) ?? '?');
            },
          },
          { sideInputs: { names: asMap(names) } },
        ),
      );
      await run(p);
      expect(out).toEqual(['North', 'South']);
      expect(stream.acked.sort()).toEqual([0, 1]);
    });
  });

  describe(`${name}: errors`, () => {
    it('a throwing DoFn fails the pipeline with the step name and a truncated element', async () => {
      const p = new Pipeline();
      p.apply(create([{ id: 1, note: 'x'.repeat(1000) }]))
        .map((x) => x, 'Keep')
        .parDo(
          {
            process() {
              throw new InputError('bad amount', { field: 'sale_amount' });
            },
          },
          { name: 'Explode' },
        );
      const err = await run(p).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StepError);
      const stepErr = err as StepError;
      expect(stepErr.step).toBe('Explode');
      expect(stepErr.message).toMatch(/step "Explode" failed on element \{"id":1,"note":"xxx/);
      expect(stepErr.message).toMatch(/bad amount/);
      expect((stepErr.element ?? '').length).toBeLessThan(260);
      expect(stepErr.retry).toBe('terminal');
    });

    it('ctx.output in a step with only tagged outputs is an error, not a silent drop', async () => {
      const p = new Pipeline();
      p.apply(create([1])).apply(
        withOutputs<number, { a: number }>(['a'], {
          process(x, ctx) {
            (ctx as unknown as { output(v: number): void }).output(x);
          },
        }),
      );
      await expect(run(p)).rejects.toThrow(/only tagged outputs \(a\); use ctx.outputTo/);
    });

    it('tryParDo routes failing elements to a dead-letter output and keeps going', async () => {
      const p = new Pipeline();
      const { output, failed } = p.apply(create([1, 2, 3, 4])).apply(
        tryParDo<number, number>({
          process(n, ctx) {
            if (n % 2 === 0) throw new InputError(`even ${n}`);
            ctx.output(n);
          },
        }),
      );
      const ok = collect(output, 'Ok');
      const dead = collect(failed, 'Dead');
      const result = await run(p);
      expect(ok.sort()).toEqual([1, 3]);
      expect(dead.map((d) => [d.element, d.error, d.code])).toEqual([
        [2, 'even 2', 'BAD_INPUT'],
        [4, 'even 4', 'BAD_INPUT'],
      ]);
      expect(dead[0].step).toMatch(/^TryParDo/);
      expect(result.counters()[`${dead[0].step}/failed`]).toBe(2);
    });

    it('a sink retries transient errors and outputs the rows it refused', async () => {
      let calls = 0;
      const p = new Pipeline();
      const refused = collect(
        p.apply(create(['ok', 'bad', 'ok2'])).apply(
          writeTo<string>(
            {
              name: 'Flaky',
              async write(rows) {
                calls++;
                if (calls === 1) throw new TransientError('503 from the warehouse');
                return { failed: rows.filter((r) => r === 'bad').map((element) => ({ element, error: 'no' })) };
              },
            },
            { retryDelayMs: 1 },
          ),
        ),
      );
      const result = await run(p);
      expect(calls).toBe(2);
      expect(refused.map((r) => r.element)).toEqual(['bad']);
      expect(result.counters()['Write(Flaky)/written']).toBe(2);
      expect(result.counters()['Write(Flaky)/retries']).toBe(1);
    });
  });

  describe(`${name}: acknowledgement after commit`, () => {
    it('acks a batch only after the sink committed everything derived from it', async () => {
      const stream = new TestStream<number>()
        .addElements({ value: 1, timestamp: T0 })
        .addElements({ value: 2, timestamp: T0 + SEC });
      const seen: { rows: number[]; ackedBefore: number[] }[] = [];
      const p = new Pipeline();
      p.apply(readFrom(stream.source()))
        .map((x) => x * 2)
        .apply(
          writeTo({
            name: 'Log',
            async write(rows) {
              const ackedBefore = [...stream.acked];
              await new Promise((r) => setTimeout(r, 5));
              seen.push({ rows: [...rows], ackedBefore });
            },
          }),
        );
      await run(p);
      expect(stream.acked.sort()).toEqual([0, 1]);
      expect(seen.flatMap((s) => s.rows)).toEqual([2, 4]);
      // The batch of value 1 (→ 2) was not acked before the write holding 2; same for 2 (→ 4).
      for (const s of seen) {
        if (s.rows.includes(2)) expect(s.ackedBefore).not.toContain(0);
        if (s.rows.includes(4)) expect(s.ackedBefore).not.toContain(1);
      }
    });

    it('a window holds the acks of its data until its result is committed', async () => {
      const stream = new TestStream<number>()
        .addElements({ value: 1, timestamp: T0 + SEC })
        .addElements({ value: 2, timestamp: T0 + 2 * SEC })
        .advanceWatermarkTo(T0 + 30 * SEC)
        .addElements({ value: 3, timestamp: T0 + 61 * SEC });
      const ackedAtWrite: number[][] = [];
      const p = new Pipeline();
      p.apply(readFrom(stream.source()))
        .apply(windowInto<number>(fixedWindows(60)))
        .apply(combineGlobally(sum()))
        .apply(
          writeTo({
            name: 'Totals',
            async write() {
              ackedAtWrite.push([...stream.acked]);
            },
          }),
        );
      await run(p);
      // When window [0,60) was written (at end of stream), none of its batches was acked yet.
      expect(ackedAtWrite[0]).toEqual([]);
      expect(stream.acked.sort()).toEqual([0, 1, 2]);
    });

    it('nothing is acked when the sink fails', async () => {
      const stream = new TestStream<number>().addElements({ value: 1, timestamp: T0 });
      const p = new Pipeline();
      p.apply(readFrom(stream.source())).apply(
        writeTo({
          name: 'Broken',
          async write() {
            throw new Error('disk full');
          },
        }),
      );
      await expect(run(p)).rejects.toThrow(/Write\(Broken\)\.finishBundle.*disk full/);
      expect(stream.acked).toEqual([]);
    });
  });

  describe(`${name}: construction`, () => {
    it('derives unique stable step names; explicit duplicates are refused', () => {
      const p = new Pipeline();
      const a = p.apply(create([1]));
      const b = a.map((x) => x);
      const c = a.map((x) => x);
      expect([a.producer.name, b.producer.name, c.producer.name]).toEqual(['Create', 'Map', 'Map_2']);
      const double = (x: number) => x * 2;
      expect(a.map(double).producer.name).toBe('Map(double)');
      a.map(double, 'Double');
      expect(() => a.map(double, 'Double')).toThrow(/duplicate step name "Double"/);
      // A composite's steps are named under it.
      const inner = a.apply(withName('Clean', (pc: PCollection<number>) => pc.map((x) => x).filter((x) => x > 0)));
      expect(inner.producer.name).toBe('Clean/Filter');
      expect(p.nodes.map((n) => n.name)).toContain('Clean/Map');
    });

    it('refuses a global-window grouping of unbounded data', () => {
      const p = new Pipeline();
      const unbounded = p.apply(readFrom(new TestStream<[string, number]>().source()));
      expect(() => unbounded.apply(groupByKey())).toThrow(/never emit.*windowInto/);
    });
  });
}
