import { describe, expect, it } from 'vitest';
import { formatEpochDay } from '../../shared/dates.ts';
import { DEFAULT_DOMAINS, formatFieldErrors, type Int64Value, RecordValidator } from '../../shared/schema/index.ts';
import { ChunkParser, splitCsvLine } from '../../transform/row-parser.ts';
import { mutatedLines, rowLine, sampleRows } from '../util/sales-csv.ts';

interface Parsed {
  rows: { id: string; customer: Int64Value; date: string; cents: number; category: string; region: string }[];
  rejects: { line: number; raw: string; reason: string }[];
  lines: number;
}

function parse(text: string | Uint8Array, format: 'csv' | 'ndjson' = 'csv'): Parsed {
  const parser = new ChunkParser(DEFAULT_DOMAINS, format);
  const out: Parsed = { rows: [], rejects: [], lines: 0 };
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const stats = parser.parse(bytes, {
    row(b, s, e, customer, day, cents, category, region) {
      out.rows.push({
        id: new TextDecoder().decode(b.subarray(s, e)),
        customer,
        date: formatEpochDay(day),
        cents,
        category: DEFAULT_DOMAINS.categories[category],
        region: DEFAULT_DOMAINS.regions[region],
      });
    },
    reject(line, raw, reason) {
      out.rejects.push({ line, raw, reason });
    },
  });
  out.lines = stats.lines;
  return out;
}

describe('ChunkParser (CSV)', () => {
  it('gives exactly the verdicts and reasons of the shared RecordValidator', () => {
    const validator = new RecordValidator(DEFAULT_DOMAINS);
    const lines = [...mutatedLines(), ...sampleRows(200, 7).map(rowLine)];
    let accepted = 0;
    for (const line of lines) {
      const got = parse(`${line}\n`);
      const want = validator.validateFields(line.split(','));
      if (want.ok) {
        accepted++;
        expect(got.rejects, line).toEqual([]);
        expect(got.rows, line).toEqual([
          {
            id: want.record.transaction_id,
            customer: want.record.customer_id,
            date: want.record.transaction_date,
            cents: want.record.sale_amount,
            category: want.record.product_category,
            region: want.record.sales_region,
          },
        ]);
      } else {
        expect(got.rows, line).toEqual([]);
        expect(got.rejects, line).toEqual([{ line: 0, raw: line, reason: formatFieldErrors(want.errors) }]);
      }
    }
    // The mix must exercise both verdicts, or the cross-check proves nothing.
    expect(accepted).toBeGreaterThan(200);
    expect(lines.length - accepted).toBeGreaterThan(40);
  });

  it('handles CRLF, a missing final newline and blank lines, and counts physical lines', () => {
    const got = parse('TX-1,1,2024-01-01,1.00,Books,North\r\n\r\nTX-2,2,2024-01-02,2.00,Toys,South');
    expect(got.rows.map((r) => [r.id, r.region])).toEqual([
      ['TX-1', 'North'],
      ['TX-2', 'South'],
    ]);
    expect(got.rejects).toEqual([]);
    expect(got.lines).toBe(3);
  });

  it('accepts RFC 4180 quoted fields (with doubled quotes) through the validator', () => {
    const got = parse('"TX-1","1","2024-01-01","1.00","Home & Garden","North"\n');
    expect(got.rows).toHaveLength(1);
    expect(got.rows[0]).toMatchObject({ id: 'TX-1', category: 'Home & Garden', cents: 100 });
    expect(splitCsvLine('"a ""b""",c')).toEqual(['a "b"', 'c']);
  });

  it('rejects unparseable quoting with a clear reason and keeps going', () => {
    const got = parse(
      [
        '"TX-1,1,2024-01-01,1.00,Books,North',
        'TX-"2",1,2024-01-01,1.00,Books,North',
        '"TX-3"x,1,2024-01-01,1.00,Books,North',
        'TX-4,1,2024-01-01,1.00,Books,North',
      ].join('\n'),
    );
    expect(got.rows.map((r) => r.id)).toEqual(['TX-4']);
    expect(got.rejects.map((r) => [r.line, r.reason])).toEqual([
      [0, 'row has an unterminated quoted field (field 1)'],
      [1, 'row has a quote inside unquoted field 1 (quote the whole field and double inner quotes)'],
      [2, 'row has text after the closing quote of field 1 (quote fields whole, double inner quotes)'],
    ]);
  });

  it('rejects bad UTF-8 with the line kept (lossily) for the rejects file', () => {
    const head = new TextEncoder().encode('TX-1,1,2024-01-01,1.00,Books,Nor');
    const bytes = new Uint8Array([...head, 0xff, 0xfe, 0x0a]);
    const got = parse(bytes);
    expect(got.rows).toEqual([]);
    expect(got.rejects).toEqual([
      { line: 0, raw: 'TX-1,1,2024-01-01,1.00,Books,Nor\uFFFD\uFFFD', reason: 'row is not valid UTF-8' },
    ]);
  });
});

describe('ChunkParser (NDJSON)', () => {
  it('validates objects with the shared validator (aliases, numbers) and rejects bad JSON', () => {
    const got = parse(
      [
        '{"id":"TX-1","customer":7,"date":"2024-01-01","amount":12.5,"category":"Books","region":"North"}',
        '{"transaction_id":"TX-2"',
        '{"transaction_id":"TX-3","customer_id":"0","transaction_date":"2024-01-01","sale_amount":"1.00","product_category":"Books","sales_region":"North"}',
      ].join('\n'),
      'ndjson',
    );
    expect(got.rows).toEqual([
      { id: 'TX-1', customer: 7, date: '2024-01-01', cents: 1250, category: 'Books', region: 'North' },
    ]);
    expect(got.rejects[0].reason).toMatch(/^row is not valid JSON/);
    expect(got.rejects[1]).toMatchObject({ line: 2, reason: 'customer_id "0" must be at least 1' });
  });
});

describe('ChunkParser: U+FEFF inside the data', () => {
  // A byte-order mark only means something at the very start of a file (the
  // header check skips it there); anywhere else it is a character of the value,
  // never silently dropped, so every reader gives the same verdict.
  it('is part of the value in a CSV line: the row is refused, not loaded without it', () => {
    const got = parse('TX-1,1,2024-01-01,1.00,Books,North\n\uFEFFTX-2,1,2024-01-01,1.00,Books,North\n');
    expect(got.rows.map((r) => r.id)).toEqual(['TX-1']);
    expect(got.rejects).toEqual([
      {
        line: 1,
        raw: '\uFEFFTX-2,1,2024-01-01,1.00,Books,North',
        reason: expect.stringMatching(/^transaction_id "\\ufeffTX-2" has characters other than/),
      },
    ]);
  });

  it('is part of the line in NDJSON: the line is not JSON', () => {
    const got = parse(
      '\uFEFF{"id":"TX-1","customer":7,"date":"2024-01-01","amount":"1.00","category":"Books","region":"North"}\n',
      'ndjson',
    );
    expect(got.rows).toEqual([]);
    expect(got.rejects[0].reason).toMatch(/^row is not valid JSON/);
  });
});

describe('ChunkParser: characters one cannot see', () => {
  // The raw row keeps the bytes (it is data); the reason, read by a person,
  // writes each such character as \uXXXX so the value does not look valid.
  it('are escaped in the reason and kept in the raw row', () => {
    const got = parse(
      'TX\u200b1,1,2024-01-01,1.00,Books,North\nTX2,1,2024-01-01,1.00,Books\u00a0,North\nTX3,1,2024-01-01,1.00,Books,Nor\u202eth\n',
    );
    expect(got.rows).toEqual([]);
    expect(got.rejects.map((r) => r.raw)).toEqual([
      'TX\u200b1,1,2024-01-01,1.00,Books,North',
      'TX2,1,2024-01-01,1.00,Books\u00a0,North',
      'TX3,1,2024-01-01,1.00,Books,Nor\u202eth',
    ]);
    expect(got.rejects[0].reason).toMatch(/^transaction_id "TX\\u200b1" has characters/);
    expect(got.rejects[1].reason).toMatch(/^product_category "Books\\u00a0" is not one of/);
    expect(got.rejects[2].reason).toMatch(/^sales_region "Nor\\u202eth" is not one of/);
  });
});
