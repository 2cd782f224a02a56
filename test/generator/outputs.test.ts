/** NDJSON output and the --dimensions files. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CUSTOMERS_HEADER, generateSales, PRODUCTS_HEADER, PRODUCTS_PER_CATEGORY } from '../../generator/index.ts';
import { ConflictError } from '../../shared/errors.ts';
import { DEFAULT_DOMAINS, RecordValidator } from '../../shared/schema/index.ts';
import { useTempDir } from '../util/tmp.ts';
import { countBy, parseRows } from './helpers.ts';

const tmp = useTempDir('salesflow-gen-out-');

describe('--format ndjson', () => {
  it('writes one valid JSON object per line, the same rows as CSV', async () => {
    const csv = join(tmp(), 'same.csv');
    const ndjson = join(tmp(), 'same.ndjson');
    await generateSales({ rows: 30_000, batchSize: 10_000, workers: 2, out: csv });
    const s = await generateSales({ rows: 30_000, batchSize: 10_000, workers: 2, out: ndjson, format: 'ndjson' });
    expect(s.format).toBe('ndjson');
    const lines = readFileSync(ndjson, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(30_000);
    const objs = lines.map((l) => JSON.parse(l));
    const validator = new RecordValidator();
    expect(objs.filter((o) => !validator.validateObject(o).ok)).toEqual([]);
    const rows = parseRows(readFileSync(csv, 'utf8').split('\n').slice(1).join('\n'));
    // Same seed and options: the same sales, only the encoding differs.
    expect(objs[12_345]).toEqual({
      transaction_id: rows[12_345].id,
      customer_id: rows[12_345].customer,
      transaction_date: rows[12_345].date,
      sale_amount: Number(rows[12_345].amount),
      product_category: rows[12_345].category,
      sales_region: rows[12_345].region,
    });
  });
});

describe('--dimensions', () => {
  it('writes customers.csv (every customer, home region) and products.csv (per category) next to the output', async () => {
    const dir = join(tmp(), 'dims');
    const out = join(dir, 'sales.csv');
    const s = await generateSales({ rows: 40_000, customers: 2_000, workers: 2, out, dimensions: true });
    expect(s.dimensions).toEqual({ customers: join(dir, 'customers.csv'), products: join(dir, 'products.csv') });

    const customerLines = readFileSync(join(dir, 'customers.csv'), 'utf8').trimEnd().split('\n');
    expect(customerLines[0]).toBe(CUSTOMERS_HEADER);
    expect(customerLines).toHaveLength(2_001);
    const customers = customerLines.slice(1).map((l) => {
      const [id, name, email, city, region] = l.split(',');
      return { id: Number(id), name, email, city, region };
    });
    expect(customers.map((c) => c.id)).toEqual(Array.from({ length: 2_000 }, (_, i) => i + 1));
    expect(customers.filter((c) => !/^[a-z]+\.[a-z]+\d+@[a-z0-9.-]+$/.test(c.email))).toEqual([]);
    expect(customers.filter((c) => !DEFAULT_DOMAINS.regions.includes(c.region))).toEqual([]);
    expect(new Set(customers.map((c) => c.name)).size).toBeGreaterThan(1_500);
    expect(new Set(customers.map((c) => c.email)).size).toBe(2_000);

    // The facts agree: a regular customer's most frequent region is their home region.
    const facts = parseRows(readFileSync(out, 'utf8').split('\n').slice(1).join('\n'));
    const home = new Map(customers.map((c) => [c.id, c.region]));
    const byCustomer = new Map<number, string[]>();
    for (const r of facts) byCustomer.set(r.customer, [...(byCustomer.get(r.customer) ?? []), r.region]);
    const regulars = [...byCustomer.entries()].filter(([, rs]) => rs.length >= 40);
    expect(regulars.length).toBeGreaterThan(10);
    for (const [id, rs] of regulars) {
      const [top] = [...countBy(rs, (r) => r).entries()].sort((a, b) => b[1] - a[1])[0];
      expect(top).toBe(home.get(id));
    }

    const productLines = readFileSync(join(dir, 'products.csv'), 'utf8').trimEnd().split('\n');
    expect(productLines[0]).toBe(PRODUCTS_HEADER);
    expect(productLines).toHaveLength(1 + DEFAULT_DOMAINS.categories.length * PRODUCTS_PER_CATEGORY);
    for (const line of productLines.slice(1)) {
      expect(line).toMatch(/^P\d{5},[^,]+,[^,]+,\d+\.\d{2}$/);
    }
    const perCategory = countBy(productLines.slice(1), (l) => l.split(',')[2]);
    expect([...perCategory.values()].every((n) => n === PRODUCTS_PER_CATEGORY)).toBe(true);
  });

  it('refuses when a dimension file exists, before writing anything', async () => {
    const dir = join(tmp(), 'dims-conflict');
    await generateSales({ rows: 100, customers: 10, workers: 0, out: join(dir, 'a.csv'), dimensions: true });
    await expect(
      generateSales({ rows: 100, customers: 10, workers: 0, out: join(dir, 'b.csv'), dimensions: true }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(() => readFileSync(join(dir, 'b.csv'))).toThrow(/ENOENT/);
  });
});
