/** Numeric flags keep the text typed, so a refusal quotes it; messages never print NaN. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/errors.ts';
import { formatBytes, formatCount } from '../../shared/format.ts';
import { parseNumberFlag } from '../../shared/number-flag.ts';

describe('parseNumberFlag', () => {
  it('accepts numbers within the rule', () => {
    expect(parseNumberFlag('top', '5', { integer: true, min: 1 })).toBe(5);
    expect(parseNumberFlag('rate', '0.05', { min: 0, max: 1 })).toBe(0.05);
    expect(parseNumberFlag('rows', '1_000', { integer: true })).toBe(1000);
    expect(parseNumberFlag('workers', 8, { integer: true, min: 1, max: 256 })).toBe(8);
  });

  it.each([
    ['abc', { integer: true }, /--f must be a whole number, got "abc"/],
    ['', {}, /--f must be a number, got ""/],
    ['1.5', { integer: true, min: 0 }, /whole number ≥ 0, got "1.5"/],
    ['2', { min: 0, max: 1 }, /from 0 to 1, got "2"/],
    ['Infinity', {}, /got "Infinity"/],
    [['1', '2'], {}, /given 2 times/],
  ] as const)('refuses %j quoting what was typed', (value, rule, message) => {
    const err = (() => {
      try {
        parseNumberFlag('f', value, rule);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toMatch(message);
    expect(err?.message).not.toMatch(/NaN/);
  });
});

it('formatCount and formatBytes say "?" for a figure that is not a number', () => {
  expect(formatCount(Number.NaN)).toBe('?');
  expect(formatCount(Number.POSITIVE_INFINITY)).toBe('?');
  expect(formatBytes(Number.NaN)).toBe('?');
  expect(formatCount(12_345)).toBe('12.3k');
});
