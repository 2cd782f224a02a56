/**
 * docs/benchmarks.md and the README's summary are generated from bench/results/*.json
 * (`npm run bench:docs`): they must equal what the generator makes of the committed
 * results, and every result must say how it was measured.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BENCHMARKS_PAGE,
  candidatesOf,
  README,
  readResults,
  renderBenchmarksPage,
  renderSummary,
  SUITE_DOCS,
  withSummary,
} from '../../scripts/bench-docs.ts';

const results = readResults();

describe('benchmark docs', () => {
  it('docs/benchmarks.md is what npm run bench:docs makes of bench/results', () => {
    expect(readFileSync(BENCHMARKS_PAGE, 'utf8')).toBe(renderBenchmarksPage(results));
  });

  it("the README's summary is what npm run bench:docs makes of bench/results", () => {
    const readme = readFileSync(README, 'utf8');
    expect(withSummary(readme, renderSummary(results))).toBe(readme);
  });

  it('every result names its command, date and machine, and every documented suite has one', () => {
    for (const doc of SUITE_DOCS) expect(results.has(doc.suite), doc.suite).toBe(true);
    for (const r of results.values()) {
      expect(r.command, r.suite).toMatch(/bench/);
      expect(Number.isNaN(Date.parse(r.at)), r.suite).toBe(false);
      expect(r.machine?.loadAverage ?? r.machine?.load, r.suite).toBeTruthy();
      const cands = candidatesOf(r);
      if (r.suite === 'stream-latency') continue;
      expect(cands.length, r.suite).toBeGreaterThan(1);
      for (const c of cands)
        expect(c.ratio, `${r.suite} ${c.name}`).toBeCloseTo(c.medianSeconds / cands[0].medianSeconds, 2);
    }
  });

  it('a summary headline whose candidate is missing from its result is an error, not a blank row', () => {
    const gen = results.get('gen-10m')!;
    const renamed = { ...gen, candidates: gen.candidates!.map((c) => ({ ...c, name: `${c.name} (renamed)` })) };
    expect(() => renderSummary(new Map([['gen-10m', renamed]]))).toThrow(/gen-10m: no candidate/);
  });
});
