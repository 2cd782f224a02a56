/**
 * A JSON object names each field once. JSON.parse keeps the last of repeated
 * keys, so `{"amount":"1","amount":"2"}` would load 2 silently; two keys that
 * name one column (an alias, another case) would do the same. Either is an
 * invalid record with its reason, on every JSON path (NDJSON lines, Pub/Sub
 * messages): they all go through judgeJsonRecord.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DOMAINS, judgeJsonRecord, RecordValidator } from '../../../shared/schema/index.ts';
import { parseMessage } from '../../../pipelines/stream/parse-message.ts';
import { ChunkParser } from '../../../transform/row-parser.ts';

const validator = new RecordValidator(DEFAULT_DOMAINS);
const REST = '"customer_id":"7","transaction_date":"2024-01-01","product_category":"Books","sales_region":"North"';
const judge = (text: string) => judgeJsonRecord(new TextEncoder().encode(text), validator);

describe('judgeJsonRecord: a field given twice', () => {
  it.each([
    [
      'the same key',
      `{"transaction_id":"TX-1","sale_amount":"1.00","sale_amount":"2.00",${REST}}`,
      /"sale_amount" twice/,
    ],
    [
      'the same key, escaped',
      `{"transaction_id":"TX-1","sale_amount":"1.00","sale\\u005famount":"2.00",${REST}}`,
      /"sale_amount" twice/,
    ],
    [
      'an alias of a given key',
      `{"transaction_id":"TX-1","sale_amount":"1.00","amount":"2.00",${REST}}`,
      /"sale_amount" and "amount" both name sale_amount/,
    ],
    [
      'another case of a given key',
      `{"transaction_id":"TX-1","amount":"1.00","AMOUNT":"2.00",${REST}}`,
      /"amount" and "AMOUNT" both name sale_amount/,
    ],
    ['an empty key twice', `{"":"1","":"2","transaction_id":"TX-1","sale_amount":"1.00",${REST}}`, /"" twice/],
  ])('%s is an invalid record, never its last value', (_, text, reason) => {
    const v = judge(text);
    expect(v.ok).toBe(false);
    expect(!v.ok && v.reason).toMatch(reason);
  });

  it('keys that only look alike inside strings and nested values are not fields', () => {
    const v = judge(`{"transaction_id":"TX-\\"sale_amount\\":1,","sale_amount":"1.00",${REST}}`);
    expect(v.ok || v.reason).not.toMatch(/twice/);
    const nested = judge(`{"transaction_id":{"a":1,"a":2},"sale_amount":"1.00",${REST}}`);
    expect(!nested.ok && nested.reason).toMatch(/^transaction_id .* has type object/);
    expect(judge(`{"transaction_id":"TX-1","sale_amount":"1.00",${REST}}`).ok).toBe(true);
  });

  it('the same verdict for an NDJSON line and a Pub/Sub message', () => {
    const text = `{"transaction_id":"TX-1","sale_amount":"1.00","sale_amount":"2.00",${REST}}`;
    const rejects: string[] = [];
    new ChunkParser(DEFAULT_DOMAINS, 'ndjson').parse(new TextEncoder().encode(`${text}\n`), {
      row() {
        throw new Error('a repeated key loaded');
      },
      reject(_line, _raw, reason) {
        rejects.push(reason);
      },
    });
    const m = parseMessage({ id: '1', data: Buffer.from(text), attributes: {}, publishTime: 0 } as never, 0, validator);
    expect(m.valid).toBe(false);
    expect(rejects).toEqual([!m.valid && m.reject.reasons]);
    expect(rejects[0]).toMatch(/"sale_amount" twice/);
  });
});
