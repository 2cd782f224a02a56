/** Small helpers for generator tests: read generated CSV back as rows, and what an alias table draws. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AliasTable } from '../../generator/alias-table.ts';

export interface Row {
  id: string;
  customer: number;
  date: string;
  amount: string;
  category: string;
  region: string;
}

/** Data lines of generated CSV (default domains have no quotes or commas, so a split is exact). */
export function parseRows(text: string): Row[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => {
    const f = line.split(',');
    if (f.length !== 6) throw new Error(`bad line: ${line}`);
    return { id: f[0], customer: Number(f[1]), date: f[2], amount: f[3], category: f[4], region: f[5] };
  });
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function countBy<T>(xs: readonly T[], key: (x: T) => string | number): Map<string | number, number> {
  const m = new Map<string | number, number>();
  for (const x of xs) {
    const k = key(x);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/** Exact probability of each value under the table (the distribution it encodes). */
export function aliasProbabilities(t: AliasTable): Float64Array {
  const p = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) {
    const keep = Math.min(1, t.prob[i] / 2 ** 32);
    p[i] += keep / t.n;
    p[t.alias[i]] += (1 - keep) / t.n;
  }
  return p;
}
