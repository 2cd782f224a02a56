/** The data looks like a shop's: skewed customers, long-tailed amounts, weekly and seasonal dates, uneven mixes. */
import { describe, expect, it } from 'vitest';
import { generateBatch } from '../../generator/index.ts';
import { parseIsoDate, weekdayOfEpochDay } from '../../shared/dates.ts';
import { parseCents } from '../../shared/money.ts';
import { DEFAULT_DOMAINS, RecordValidator } from '../../shared/schema/index.ts';
import { countBy, parseRows } from './helpers.ts';

const ROWS = 200_000;
const rows = parseRows(generateBatch(42, 0, { batchSize: ROWS }).toString('utf8'));

describe('generated distributions (200k rows, seed 42, defaults)', () => {
  it('customers: a few buy a lot, ids are spread, all within 1…customers', () => {
    const perCustomer = [...countBy(rows, (r) => r.customer).entries()].sort((a, b) => b[1] - a[1]);
    expect(perCustomer.every(([id]) => Number(id) >= 1 && Number(id) <= 100_000)).toBe(true);
    const top1pct = perCustomer.slice(0, 1000).reduce((s, [, n]) => s + n, 0);
    expect(top1pct / ROWS).toBeGreaterThan(0.15); // uniform would be 1%
    expect(perCustomer[0][1]).toBeGreaterThan(50 * (ROWS / 100_000));
    // The best customers are not simply the lowest ids (ranks are permuted over ids).
    const topIds = perCustomer.slice(0, 20).map(([id]) => Number(id));
    expect(Math.max(...topIds)).toBeGreaterThan(10_000);
  });

  it('amounts: exact cents within 1.00–5000.00, log-normal long tail', () => {
    expect(rows.filter((r) => !/^\d{1,4}\.\d{2}$/.test(r.amount))).toEqual([]);
    const cents = rows.map((r) => parseCents(r.amount));
    const sorted = Float64Array.from(cents).sort();
    expect(sorted[0]).toBeGreaterThanOrEqual(100);
    expect(sorted.at(-1)).toBeLessThanOrEqual(500_000);
    const median = sorted[ROWS >> 1];
    const p99 = sorted[Math.floor(ROWS * 0.99)];
    expect(median).toBeGreaterThan(2_000);
    expect(median).toBeLessThan(10_000);
    expect(p99 / median).toBeGreaterThan(5); // long right tail
    const mean = cents.reduce((s, c) => s + c, 0) / ROWS;
    expect(mean).toBeGreaterThan(median * 1.3); // right-skewed
    // Categories differ in price: Electronics runs well above Grocery.
    const med = (cat: string) => {
      const xs = rows
        .filter((r) => r.category === cat)
        .map((r) => parseCents(r.amount))
        .sort((a, b) => a - b);
      return xs[xs.length >> 1];
    };
    expect(med('Electronics')).toBeGreaterThan(3 * med('Grocery'));
  });

  it('dates: within the default range, weekends busier, December busier than February, growth', () => {
    const days = rows.map((r) => parseIsoDate(r.date));
    const first = parseIsoDate('2024-01-01');
    const last = parseIsoDate('2025-12-31');
    expect(days.reduce((a, b) => Math.min(a, b))).toBeGreaterThanOrEqual(first);
    expect(days.reduce((a, b) => Math.max(a, b))).toBeLessThanOrEqual(last);
    const byWeekday = new Array(7).fill(0);
    for (const d of days) byWeekday[weekdayOfEpochDay(d)]++;
    const weekday = (byWeekday[0] + byWeekday[1] + byWeekday[2] + byWeekday[3]) / 4;
    expect(byWeekday[5]).toBeGreaterThan(weekday * 1.2); // Saturday
    const month = (m: string) => rows.filter((r) => r.date.slice(5, 7) === m).length;
    expect(month('12') / 31).toBeGreaterThan((1.5 * month('02')) / 28.5);
    const y2024 = rows.filter((r) => r.date.startsWith('2024')).length;
    expect(ROWS - y2024).toBeGreaterThan(y2024 * 1.05);
    // Black Friday 2024 (Nov 29) stands out from the Fridays around it.
    const byDate = countBy(rows, (r) => r.date);
    expect(byDate.get('2024-11-29')!).toBeGreaterThan(1.8 * byDate.get('2024-11-22')!);
  });

  it('category and region mixes are uneven, every value occurs', () => {
    const cats = countBy(rows, (r) => r.category);
    expect([...cats.keys()].sort()).toEqual([...DEFAULT_DOMAINS.categories].sort());
    expect(cats.get('Grocery')! / cats.get('Automotive')!).toBeGreaterThan(3);
    const regions = countBy(rows, (r) => r.region);
    expect([...regions.keys()].sort()).toEqual([...DEFAULT_DOMAINS.regions].sort());
    expect(regions.get('West')! / regions.get('Central')!).toBeGreaterThan(2);
  });

  it('customers mostly buy in their home region', () => {
    const byCustomer = new Map<number, string[]>();
    for (const r of rows) byCustomer.set(r.customer, [...(byCustomer.get(r.customer) ?? []), r.region]);
    const regular = [...byCustomer.values()].filter((rs) => rs.length >= 50);
    expect(regular.length).toBeGreaterThan(20);
    for (const rs of regular) {
      const top = Math.max(...countBy(rs, (r) => r).values());
      expect(top / rs.length).toBeGreaterThan(0.7);
    }
  });

  it('honours start/end dates, customer count and custom domains', () => {
    const domains = { categories: ['Tea', 'Coffee, roasted', 'Cocoa "raw"'], regions: ['EMEA', 'APAC'] };
    const text = generateBatch(1, 0, {
      batchSize: 20_000,
      startDate: '2025-02-01',
      endDate: '2025-02-28',
      customers: 50,
      format: 'ndjson',
      domains,
    }).toString('utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(20_000);
    const validator = new RecordValidator(domains);
    const objs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs.filter((o) => !validator.validateObject(o).ok)).toEqual([]);
    expect(new Set(objs.map((o) => o.product_category)).size).toBe(3);
    expect(objs.filter((o) => Number(o.customer_id) > 50)).toEqual([]);
    expect(objs.every((o) => String(o.transaction_date).startsWith('2025-02-'))).toBe(true);
  });
});
