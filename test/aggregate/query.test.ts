import { describe, expect, it } from 'vitest';
import { finishReport, GroupMerger, type GroupTotals } from '../../aggregate/groups.ts';
import { buildQueries, parseBy, parseMetrics, parseWhere } from '../../aggregate/query.ts';
import { UsageError } from '../../shared/errors.ts';
import { parseIsoDate } from '../../shared/dates.ts';

describe('query flags', () => {
  it('resolves aliases and date units in --by', () => {
    expect(parseBy(['region,date:month', 'customer'])).toEqual([
      { column: 'sales_region', label: 'sales_region' },
      { column: 'transaction_date', datePart: 'month', label: 'month' },
      { column: 'customer_id', label: 'customer_id' },
    ]);
    expect(parseBy('date:day')).toEqual([{ column: 'transaction_date', label: 'transaction_date' }]);
  });

  it('rejects unknown --by columns, listing the valid ones', () => {
    expect(() => parseBy('colour')).toThrow(/unknown --by column "colour"; valid: transaction_id \(id/);
    expect(() => parseBy('region:month')).toThrow(UsageError);
    expect(() => parseBy('date:fortnight')).toThrow(/unknown date unit "fortnight"; valid: day, week, month, year/);
    expect(() => parseBy('region,sales_region')).toThrow(/given twice/);
  });

  it('parses metrics with synonyms and rejects unknown ones', () => {
    expect(parseMetrics('sum, mean,count,sum')).toEqual(['sum', 'avg', 'count']);
    expect(() => parseMetrics('median')).toThrow(/unknown metric "median"; valid: sum, avg, count, min, max/);
  });

  it('types --where values by column', () => {
    expect(parseWhere('region=North|South')).toEqual({
      column: 'sales_region',
      op: '=',
      values: [
        { text: 'North', num: Number.NaN },
        { text: 'South', num: Number.NaN },
      ],
    });
    expect(parseWhere('date >= 2024-02-29').values[0].num).toBe(parseIsoDate('2024-02-29'));
    expect(parseWhere('amount<12.5').values[0].num).toBe(1250);
    expect(parseWhere('customer!=42')).toMatchObject({ column: 'customer_id', op: '!=', values: [{ num: 42 }] });
  });

  it('rejects malformed --where with the reason', () => {
    expect(() => parseWhere('region')).toThrow(/not COLUMN OP VALUE/);
    expect(() => parseWhere('colour=red')).toThrow(/unknown --where column "colour"; valid:/);
    expect(() => parseWhere('date=2024-02-30')).toThrow(/is not a valid date \(expected YYYY-MM-DD\)/);
    expect(() => parseWhere('amount>12.345')).toThrow(/not an amount/);
    expect(() => parseWhere('amount>1|2')).toThrow(/only work with = and !=/);
  });

  it('gives the two standard reports without --by', () => {
    const qs = buildQueries({});
    expect(qs.map((q) => [q.by[0].column, q.metrics, q.sort])).toEqual([
      ['product_category', ['sum'], 'desc'],
      ['sales_region', ['avg'], 'key'],
    ]);
    expect(() => buildQueries({ metrics: 'sum' })).toThrow(/--metrics needs --by/);
    expect(() => buildQueries({ by: ['region'], top: 0 })).toThrow(/--top/);
    expect(buildQueries({ by: ['region'], top: 3 })[0]).toMatchObject({
      sort: 'desc',
      top: 3,
      metrics: ['sum', 'avg', 'count'],
    });
  });
});

const g = (key: string, count: number, sum: number, min = 1, max = 1): GroupTotals => ({
  keys: [key],
  count: BigInt(count),
  sum: BigInt(sum),
  min: BigInt(min),
  max: BigInt(max),
});

describe('finishReport', () => {
  it('rounds averages half away from zero from the exact sum and count', () => {
    const [q] = buildQueries({ by: ['region'], metrics: 'avg,sum,count' });
    // 5/2 = 2.5 cents → 3; 7/3 = 2.33 → 2; 1001/2 = 500.5 → 501.
    const r = finishReport(q, [g('A', 2, 5), g('B', 3, 7), g('C', 2, 1001)]);
    expect(r.rows).toEqual([
      ['A', '0.03', '0.05', 2],
      ['B', '0.02', '0.07', 3],
      ['C', '5.01', '10.01', 2],
    ]);
    expect(r.columns).toEqual(['sales_region', 'avg', 'sum', 'count']);
  });

  it('orders by the exact first metric, keeps --top, breaks ties by key', () => {
    const [q] = buildQueries({ by: ['category'], metrics: 'avg', top: 2 });
    // Averages 3.333… vs 3.3333…: exact comparison, not the rounded 3.33 both display as.
    const r = finishReport(q, [g('x', 3, 10), g('y', 10_000, 33_334), g('a', 1, 1)]);
    expect(r.rows.map((row) => row[0])).toEqual(['y', 'x']);
  });

  it('sorts numeric labels as numbers', () => {
    const [q] = buildQueries({ by: ['customer'], metrics: 'count' });
    expect(finishReport(q, [g('10', 1, 1), g('9', 1, 1), g('100', 1, 1)]).rows.map((r) => r[0])).toEqual([
      '9',
      '10',
      '100',
    ]);
  });

  it('merges partial totals of one group', () => {
    const m = new GroupMerger();
    m.add(g('A', 2, 500, 100, 400));
    m.add(g('A', 1, 50, 50, 50));
    m.add(g('B', 1, 7, 7, 7));
    expect(m.result()).toEqual([
      { keys: ['A'], count: 3n, sum: 550n, min: 50n, max: 400n },
      { keys: ['B'], count: 1n, sum: 7n, min: 7n, max: 7n },
    ]);
  });
});
