/**
 * The event-time attribute is taken only when it is a real instant: a field out
 * of range is not rolled over into another time (Date.parse would make
 * 2024-02-30 March 1), the message then keeps its publish time.
 */
import { describe, expect, it } from 'vitest';
import { parseRfc3339 } from '../../../pipelines/io/pubsub-source.ts';

describe('parseRfc3339', () => {
  it('reads valid timestamps, with fractions and offsets', () => {
    expect(parseRfc3339('2024-02-29T23:59:59Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
    expect(parseRfc3339('2024-01-01T01:00:00.250+01:00')).toBe(Date.UTC(2024, 0, 1, 0, 0, 0, 250));
  });

  it.each([
    '2024-02-30T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T00:60:00Z',
    '2024-01-01T00:00:00+24:00',
    '2024-01-01 00:00:00Z',
    'yesterday',
    '',
  ])('%j is no timestamp', (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });
});
