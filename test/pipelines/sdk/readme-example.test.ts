/** The README's worked example, kept running: a windowed per-region sales total from an unbounded source. */
import { expect, it } from 'vitest';
import {
  DirectRunner,
  fixedWindows,
  groupBy,
  Pipeline,
  readFrom,
  streamSource,
  sum,
  windowIntoWithLate,
  writeTo,
} from '../../../pipelines/sdk/index.ts';
import { handleStopSignals } from '../../../shared/stop-signals.ts';

interface Sale {
  region: string;
  cents: number;
  /** Event time, epoch ms. */
  at: number;
}

it('README example: per-region totals per minute, late sales aside, acks after the sink', async () => {
  const t0 = Date.UTC(2026, 10, 22, 10, 0, 0);
  const acked: Sale[] = [];
  // Stands in for a Pub/Sub subscription: any async iterable of messages.
  async function* sales(): AsyncIterable<Sale> {
    yield { region: 'north', cents: 1999, at: t0 + 1_000 };
    yield { region: 'south', cents: 500, at: t0 + 20_000 };
    yield { region: 'north', cents: 1, at: t0 + 59_000 };
    yield { region: 'north', cents: 700, at: t0 + 95_000 }; // watermark → 90 s: window 10:00 fires
    yield { region: 'south', cents: 42, at: t0 + 3_000 }; // 92 s behind the newest: beyond 30 s lateness
  }

  const rows: { minute: string; region: string; total_cents: number }[] = [];
  const lateRows: Sale[] = [];

  const p = new Pipeline();
  const { main, late } = p
    .apply(
      readFrom(
        streamSource(sales(), {
          timestampFn: (s) => s.at,
          maxDelayMs: 5_000, // watermark = newest event time - 5 s
          ack: (s) => {
            acked.push(s);
          },
        }),
      ),
    )
    .filter((s) => s.cents > 0)
    .apply(windowIntoWithLate<Sale>(fixedWindows(60), { allowedLateness: 30 }));

  main
    .apply(groupBy<Sale, 'region'>('region').combining('cents', sum(), 'total_cents'))
    .parDo<{ minute: string; region: string; total_cents: number }>({
      process(row, ctx) {
        ctx.output({
          minute: new Date(ctx.window.start).toISOString().slice(11, 16),
          region: row.region,
          total_cents: row.total_cents,
        });
      },
    })
    .apply(writeTo({ name: 'Totals', write: async (batch) => void rows.push(...batch) }));
  late.apply(writeTo({ name: 'LateSales', write: async (batch) => void lateRows.push(...batch) }));

  const result = new DirectRunner().run(p);
  const signals = handleStopSignals({ graceful: () => result.drain(), immediate: () => result.cancel() });
  await result.waitUntilFinish();
  signals.dispose();

  expect(rows.sort((a, b) => a.minute.localeCompare(b.minute) || a.region.localeCompare(b.region))).toEqual([
    { minute: '10:00', region: 'north', total_cents: 2000 },
    { minute: '10:00', region: 'south', total_cents: 500 },
    { minute: '10:01', region: 'north', total_cents: 700 },
  ]);
  expect(lateRows).toEqual([{ region: 'south', cents: 42, at: t0 + 3_000 }]);
  expect(acked).toHaveLength(5);
  expect(result.counters()['Write(Totals)/written']).toBe(3);
});
