/**
 * What engines return: per group, the exact count, sum, min and max in integer
 * cents. Everything derived (averages, order, --top) is computed here from those
 * exact numbers, once, so every engine reports identical results to the cent.
 */
import { averageCents, formatCents } from '../shared/money.ts';
import type { AggregateQuery } from './query.ts';

export interface GroupTotals {
  /** One label per --by key, as text (`Books`, `2024-03`, `42`). */
  keys: string[];
  count: bigint;
  sum: bigint;
  /** Only when a min/max metric was asked for (SQL engines skip the work otherwise). */
  min?: bigint;
  max?: bigint;
}

/** Does the query need per-group minimum and maximum? */
export function needsMinMax(q: AggregateQuery): boolean {
  return q.metrics.includes('min') || q.metrics.includes('max');
}

/** Merges partial totals of the same group (from several files, workers or row groups). */
export class GroupMerger {
  private readonly groups = new Map<string, GroupTotals>();

  add(g: GroupTotals): void {
    const id = g.keys.join('\u0000');
    const cur = this.groups.get(id);
    if (cur === undefined) {
      this.groups.set(id, { keys: g.keys, count: g.count, sum: g.sum, min: g.min, max: g.max });
      return;
    }
    cur.count += g.count;
    cur.sum += g.sum;
    if (g.min !== undefined && (cur.min === undefined || g.min < cur.min)) cur.min = g.min;
    if (g.max !== undefined && (cur.max === undefined || g.max > cur.max)) cur.max = g.max;
  }

  result(): GroupTotals[] {
    return [...this.groups.values()];
  }
}

/** A finished report: column names and rows of display values (amounts as exact decimal strings). */
export interface Report {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

function need(v: bigint | undefined): bigint {
  if (v === undefined) throw new Error('engine returned no min/max for a query that asked for one');
  return v;
}

/** Numeric-aware comparison of group labels (customer ids sort as numbers). */
function compareLabels(a: string, b: string): number {
  if (/^-?\d+$/.test(a) && /^-?\d+$/.test(b)) {
    const d = BigInt(a) - BigInt(b);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKeys(a: GroupTotals, b: GroupTotals): number {
  for (let i = 0; i < a.keys.length; i++) {
    const c = compareLabels(a.keys[i], b.keys[i]);
    if (c !== 0) return c;
  }
  return 0;
}

/** The exact value a metric sorts by (averages compared as exact fractions, not rounded). */
function compareMetric(metric: AggregateQuery['metrics'][number], a: GroupTotals, b: GroupTotals): number {
  let d: bigint;
  switch (metric) {
    case 'sum':
      d = a.sum - b.sum;
      break;
    case 'count':
      d = a.count - b.count;
      break;
    case 'min':
      d = need(a.min) - need(b.min);
      break;
    case 'max':
      d = need(a.max) - need(b.max);
      break;
    case 'avg':
      d = a.sum * b.count - b.sum * a.count;
      break;
  }
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

function metricCell(m: AggregateQuery['metrics'][number], g: GroupTotals): string | number {
  switch (m) {
    case 'sum':
      return formatCents(g.sum);
    case 'avg':
      return formatCents(averageCents(g.sum, g.count));
    case 'count':
      return Number(g.count);
    case 'min':
      return formatCents(need(g.min));
    case 'max':
      return formatCents(need(g.max));
  }
}

/** Order, cut to --top, derive averages, format: the same for every engine. */
export function finishReport(query: AggregateQuery, groups: readonly GroupTotals[]): Report {
  const sorted = [...groups].sort((a, b) => {
    if (query.sort !== 'key') {
      const c = compareMetric(query.metrics[0], a, b);
      if (c !== 0) return query.sort === 'desc' ? -c : c;
    }
    return compareKeys(a, b);
  });
  const kept = query.top === undefined ? sorted : sorted.slice(0, query.top);
  const rows = kept.map((g) => [...g.keys, ...query.metrics.map((m) => metricCell(m, g))]);
  return { title: query.title, columns: [...query.by.map((k) => k.label), ...query.metrics], rows };
}
