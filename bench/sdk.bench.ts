/**
 * Pipelines SDK overhead: elements/s through map → filter → groupBy(region).combining(sum)
 * on the DirectRunner vs the same computation as a hand-written loop, in one process.
 * Records come from a pre-generated pool of POOL synthetic sales (not timed) cycled
 * to N elements, so both candidates measure processing, not generation.
 * Target: SDK ≤ 3x the hand loop and ≥ 2M elements/s.
 *
 *   node bench/sdk.bench.ts            # 10M elements, BENCH_RUNS (default 3) alternated runs
 *   SDK_BENCH_N=1000000 node bench/sdk.bench.ts
 *
 * A second suite shows where the second core pays: a CPU-heavy element function
 * (~2000 multiply-mods per element) in-process (map) vs mapInWorkers with 2 workers.
 */
import { compareInProcess, report } from './util/measure.ts';
import {
  boundedSource,
  DirectRunner,
  groupBy,
  mapInWorkers,
  Pipeline,
  readFrom,
  sum,
  writeTo,
} from '../pipelines/sdk/index.ts';
import { namedStream } from '../generator/prng.ts';
import { score } from './util/cpu-heavy.ts';

interface Sale {
  id: number;
  customer: number;
  cents: number;
  category: string;
  region: string;
}

const N = Number(process.env.SDK_BENCH_N ?? 10_000_000);
const POOL = Math.min(N, 1_000_000);
const BATCH = 4096;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const REGIONS = ['north', 'south', 'east', 'west', 'central', 'islands'];
const CATEGORIES = ['books', 'electronics', 'garden', 'toys', 'food'];
const MIN_CENTS = 500;

function makePool(): Sale[] {
  const rng = namedStream(42, 'sdk-bench-pool');
  return Array.from({ length: POOL }, (_, i) => ({
    id: i,
    customer: 1 + rng.below(100_000),
    cents: 1 + rng.below(100_000),
    category: CATEGORIES[rng.below(CATEGORIES.length)],
    region: REGIONS[rng.below(REGIONS.length)],
  }));
}

const pool = makePool();

function handLoop(): Map<string, number> {
  const totals = new Map<string, number>();
  for (let done = 0; done < N; ) {
    const end = Math.min(POOL, N - done);
    for (let i = 0; i < end; i++) {
      const s = pool[i];
      const m = { region: s.region, cents: s.cents };
      if (m.cents < MIN_CENTS) continue;
      totals.set(m.region, (totals.get(m.region) ?? 0) + m.cents);
    }
    done += end;
  }
  return totals;
}

async function sdk(): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  const p = new Pipeline();
  p.apply(
    readFrom(
      boundedSource<Sale>('Pool', function* () {
        for (let done = 0; done < N; ) {
          const end = Math.min(POOL, N - done);
          for (let i = 0; i < end; i += BATCH) yield { values: pool.slice(i, Math.min(end, i + BATCH)) };
          done += end;
        }
      }),
    ),
  )
    .map((s) => ({ region: s.region, cents: s.cents }))
    .filter((m) => m.cents >= MIN_CENTS)
    .apply(groupBy<{ region: string; cents: number }>('region').combining('cents', sum(), 'total'))
    .apply(
      writeTo<Record<string, unknown>>({
        name: 'Totals',
        async write(rows) {
          for (const r of rows) totals.set(r.region as string, r.total as number);
        },
      }),
    );
  await new DirectRunner().run(p).waitUntilFinish();
  return totals;
}

const candidates: { name: string; run: () => Map<string, number> | Promise<Map<string, number>> }[] = [
  { name: 'hand-written loop', run: handLoop },
  { name: 'sdk DirectRunner', run: sdk },
];

const results = await compareInProcess(`sdk-${N}`, candidates, {
  runs: RUNS,
  key: (totals) => JSON.stringify([...totals].sort()),
  rate: { name: 'M elements/s', perSecond: N / 1e6 },
});
await report(`sdk-${N}`, results, [
  `${N} elements (a ${POOL}-record pool cycled), in-process, alternated, median of ${RUNS}.`,
  'Peak RSS is the whole process high-water mark so far (in-process bench), not per candidate.',
  'Targets: sdk/hand ratio <= 3, sdk >= 2 M elements/s.',
]);

// --- where a worker pool pays: a CPU-heavy element function ---------------------------------

const HEAVY_N = Number(process.env.SDK_BENCH_HEAVY_N ?? 200_000);
const heavyPool = pool.slice(0, Math.min(HEAVY_N, POOL)).map((s) => ({ id: s.id, cents: s.cents }));

async function heavy(workers: number): Promise<number> {
  let checksum = 0;
  const p = new Pipeline();
  const read = p.apply(
    readFrom(
      boundedSource<{ id: number; cents: number }>('Heavy', function* () {
        for (let i = 0; i < heavyPool.length; i += BATCH) yield { values: heavyPool.slice(i, i + BATCH) };
      }),
    ),
  );
  const scored =
    workers === 0
      ? read.map(score)
      : read.apply(
          mapInWorkers<{ id: number; cents: number }, { id: number; score: number }>(
            new URL('./util/cpu-heavy.ts', import.meta.url),
            { exportName: 'score', workers },
          ),
        );
  scored.parDo({
    process(r) {
      checksum = (checksum + r.score) % 1_000_000_007;
    },
  });
  await new DirectRunner().run(p).waitUntilFinish();
  return checksum;
}

const heavyCandidates = [
  { name: 'map (1 thread)', run: () => heavy(0) },
  { name: 'mapInWorkers (2 workers)', run: () => heavy(2) },
];
await report(
  `sdk-heavy-${HEAVY_N}`,
  await compareInProcess(`sdk-heavy`, heavyCandidates, {
    runs: RUNS,
    key: String,
    rate: { name: 'k elements/s', perSecond: HEAVY_N / 1e3 },
  }),
  [`${HEAVY_N} elements, CPU-heavy function (~2000 multiply-mods each), in-process, median of ${RUNS}.`],
);
