import { describe, expect, it } from 'vitest';
import { checkHeader, formatFieldErrors, RecordValidator } from '../../../shared/schema/validate.ts';

const v = new RecordValidator();
const good = ['T000000001', '42', '2024-02-29', '1234.50', 'Electronics', 'North'];

function failOn(index: number, value: string) {
  const fields = [...good];
  fields[index] = value;
  const res = v.validateFields(fields);
  if (res.ok) throw new Error(`expected ${value} to fail`);
  return res.errors;
}

describe('RecordValidator.validateFields', () => {
  it('accepts a valid row and types it (cents, not floats)', () => {
    const res = v.validateFields(good);
    expect(res).toEqual({
      ok: true,
      record: {
        transaction_id: 'T000000001',
        customer_id: 42,
        transaction_date: '2024-02-29',
        sale_amount: 123450,
        product_category: 'Electronics',
        sales_region: 'North',
      },
    });
  });

  it.each([
    ['', 'is empty'],
    ['x'.repeat(65), 'longer than 64'],
    ['T 1', 'characters other than'],
    ['-T1', 'characters other than'],
  ])('transaction_id %j → %s', (value, reason) => {
    const errs = failOn(0, value);
    expect(errs).toHaveLength(1);
    expect(errs[0].field).toBe('transaction_id');
    expect(errs[0].reason).toContain(reason);
  });

  it.each([
    ['', 'is empty'],
    ['12a', 'not a whole number'],
    ['-5', 'not a whole number'],
    ['1.5', 'not a whole number'],
    ['0', 'at least 1'],
    ['9223372036854775808', 'too large for INT64'],
    ['00009223372036854775808', 'too large for INT64'],
  ])('customer_id %j → %s', (value, reason) => {
    const errs = failOn(1, value);
    expect(errs[0]).toMatchObject({ field: 'customer_id', value });
    expect(errs[0].reason).toContain(reason);
  });

  it.each([
    ['', 'is empty'],
    ['2023-02-29', 'not a valid date'],
    ['2024-13-01', 'not a valid date'],
    ['2024-1-01', 'not a valid date'],
    ['2024-01-01T00:00:00Z', 'not a valid date'],
    ['01/02/2024', 'not a valid date'],
    ['1899-12-31', 'outside'],
  ])('transaction_date %j → %s', (value, reason) => {
    const errs = failOn(2, value);
    expect(errs[0]).toMatchObject({ field: 'transaction_date', value });
    expect(errs[0].reason).toContain(reason);
  });

  it.each([
    ['', 'is empty'],
    ['abc', 'not a decimal'],
    ['1.234', 'not a decimal'],
    ['1e3', 'not a decimal'],
    ['$12.00', 'not a decimal'],
    ['12,50', 'not a decimal'],
    ['0.00', 'greater than 0'],
    ['-3.50', 'greater than 0'],
    ['12345678901.00', 'exceeds NUMERIC(12,2)'],
  ])('sale_amount %j → %s', (value, reason) => {
    const errs = failOn(3, value);
    expect(errs[0]).toMatchObject({ field: 'sale_amount', value });
    expect(errs[0].reason).toContain(reason);
  });

  it('parses amounts exactly', () => {
    for (const [text, cents] of [
      ['0.01', 1],
      ['0.1', 10],
      ['19.99', 1999],
      ['5000', 500000],
      ['9999999999.99', 999999999999],
    ] as const) {
      const fields = [...good];
      fields[3] = text;
      const res = v.validateFields(fields);
      expect(res.ok && res.record.sale_amount).toBe(cents);
    }
  });

  it('says why an amount is refused: too large is not "too many decimals"', () => {
    expect(failOn(3, '12345678901.00')[0].reason).toBe('exceeds NUMERIC(12,2) (max 9999999999.99)');
    expect(failOn(3, '99999999999')[0].reason).toBe('exceeds NUMERIC(12,2) (max 9999999999.99)');
    expect(failOn(3, '-12345678901')[0].reason).toBe('must be greater than 0');
    expect(failOn(3, '000000000001.50')[0].reason).toBe('has more than 10 digits before the decimal point');
    expect(failOn(3, '12.345')[0].reason).toMatch(/^is not a decimal number with at most 2 decimals/);
    expect(failOn(3, '1e3')[0].reason).toMatch(/^is not a decimal number/);
    expect(failOn(3, '-')[0].reason).toMatch(/^is not a decimal number/);
  });

  it('rejects values outside the domains and suggests a case fix', () => {
    expect(failOn(4, 'Gadgets')[0].reason).toContain('is not one of: Electronics');
    expect(failOn(5, 'north')[0].reason).toContain('did you mean "North"');
    expect(failOn(5, '')[0].reason).toBe('is empty');
  });

  it('honours configured domains', () => {
    const custom = new RecordValidator({ categories: ['Tea'], regions: ['Mars'] });
    expect(custom.validateFields(['a', '1', '2024-01-01', '1.00', 'Tea', 'Mars']).ok).toBe(true);
    expect(custom.validateFields(good).ok).toBe(false);
  });

  it('reports every failing field, not just the first', () => {
    const res = v.validateFields(['', 'x', 'y', 'z', 'Nope', 'Nowhere']);
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.errors.map((e) => e.field)).toEqual([
        'transaction_id',
        'customer_id',
        'transaction_date',
        'sale_amount',
        'product_category',
        'sales_region',
      ]);
      expect(formatFieldErrors(res.errors)).toContain('sale_amount "z" is not a decimal');
    }
  });

  it('rejects a wrong field count as a row error', () => {
    const res = v.validateFields(good.slice(0, 5));
    expect(res).toEqual({
      ok: false,
      errors: [expect.objectContaining({ field: '_row', reason: 'has 5 fields, expected 6' })],
    });
  });
});

describe('RecordValidator.validateObject', () => {
  it('accepts canonical keys, aliases and numbers', () => {
    const res = v.validateObject({
      id: 'a1',
      customer: 7,
      date: '2024-01-31',
      amount: 10.5,
      category: 'Books',
      region: 'West',
    });
    expect(res).toEqual({
      ok: true,
      record: {
        transaction_id: 'a1',
        customer_id: 7,
        transaction_date: '2024-01-31',
        sale_amount: 1050,
        product_category: 'Books',
        sales_region: 'West',
      },
    });
  });

  it('names unknown, missing and wrongly typed fields', () => {
    const res = v.validateObject({ transaction_id: 'a', customer_id: true, colour: 'red' });
    expect(res.ok).toBe(false);
    if (!res.ok) {
      const text = formatFieldErrors(res.errors);
      expect(text).toContain('unknown field "colour"');
      expect(text).toContain('customer_id "true" has type boolean');
      expect(text).toContain('sales_region "" is empty');
    }
  });

  it('rejects non-objects', () => {
    expect(v.validateObject([1, 2]).ok).toBe(false);
    expect(v.validateObject('x').ok).toBe(false);
    expect(v.validateObject(null).ok).toBe(false);
  });
});

describe('checkHeader', () => {
  it('accepts the exact header, with a BOM or stray spaces', () => {
    expect(
      checkHeader('transaction_id,customer_id,transaction_date,sale_amount,product_category,sales_region'.split(',')),
    ).toBeNull();
    expect(
      checkHeader(
        '\uFEFFtransaction_id, customer_id,transaction_date,sale_amount,product_category,sales_region'.split(','),
      ),
    ).toBeNull();
  });

  it('names missing, extra and misordered columns', () => {
    const missing = checkHeader([
      'transaction_id',
      'customer_id',
      'transaction_date',
      'sale_amount',
      'product_category',
    ]);
    expect(missing?.missing).toEqual(['sales_region']);
    expect(missing?.message).toContain('missing sales_region');
    const extra = checkHeader([
      'transaction_id',
      'customer_id',
      'transaction_date',
      'sale_amount',
      'product_category',
      'sales_region',
      'notes',
    ]);
    expect(extra?.message).toContain('unexpected "notes"');
    const swapped = checkHeader([
      'customer_id',
      'transaction_id',
      'transaction_date',
      'sale_amount',
      'product_category',
      'sales_region',
    ]);
    expect(swapped?.misordered).toBe(true);
    expect(swapped?.message).toContain('out of order');
  });
});
