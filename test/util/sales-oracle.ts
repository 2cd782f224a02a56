/**
 * Expected aggregate results computed straight from in-memory records, with
 * none of the engines' code: the reference every engine must match to the cent.
 */
import { parseIsoDate } from '../../shared/dates.ts';
import { columnSpec, type SalesRecord } from '../../shared/schema/index.ts';
import type { GroupTotals } from '../../aggregate/groups.ts';
import type { AggregateQuery, Filter, GroupKey } from '../../aggregate/query.ts';

function keyOf(r: SalesRecord, k: GroupKey): string {
  const v = r[k.column];
  if (k.column !== 'transaction_date') return String(v);
  const d = String(v);
  switch (k.datePart) {
    case undefined:
    case 'day':
      return d;
    case 'month':
      return d.slice(0, 7);
    case 'year':
      return d.slice(0, 4);
    case 'week': {
      const t = new Date(`${d}T00:00:00Z`);
      t.setUTCDate(t.getUTCDate() - ((t.getUTCDay() + 6) % 7));
      return t.toISOString().slice(0, 10);
    }
  }
}

function matches(r: SalesRecord, f: Filter): boolean {
  const type = columnSpec(f.column).type;
  const raw = r[f.column];
  const cmp = (v: Filter['values'][number]) => {
    if (type === 'STRING') return String(raw) < v.text ? -1 : String(raw) > v.text ? 1 : 0;
    const x = type === 'DATE' ? parseIsoDate(String(raw)) : type === 'NUMERIC' ? Number(raw) : Number(raw);
    return x < v.num ? -1 : x > v.num ? 1 : 0;
  };
  switch (f.op) {
    case '=':
      return f.values.some((v) => cmp(v) === 0);
    case '!=':
      return f.values.every((v) => cmp(v) !== 0);
    case '<':
      return cmp(f.values[0]) < 0;
    case '<=':
      return cmp(f.values[0]) <= 0;
    case '>':
      return cmp(f.values[0]) > 0;
    case '>=':
      return cmp(f.values[0]) >= 0;
  }
}

export function oracleGroups(records: readonly SalesRecord[], q: AggregateQuery): GroupTotals[] {
  const groups = new Map<string, GroupTotals>();
  for (const r of records) {
    if (!q.where.every((f) => matches(r, f))) continue;
    const keys = q.by.map((k) => keyOf(r, k));
    const id = JSON.stringify(keys);
    const c = BigInt(r.sale_amount);
    const g = groups.get(id);
    if (g === undefined) groups.set(id, { keys, count: 1n, sum: c, min: c, max: c });
    else {
      g.count++;
      g.sum += c;
      if (c < g.min!) g.min = c;
      if (c > g.max!) g.max = c;
    }
  }
  return [...groups.values()];
}
