import { describe, expect, it } from 'vitest';
import { averageCents, formatCents, parseCents } from '../../shared/money.ts';

describe('money', () => {
  it('parses and formats exactly', () => {
    expect(parseCents('0.1')).toBe(10);
    expect(parseCents('-12.05')).toBe(-1205);
    expect(parseCents('1.005')).toBeNaN();
    expect(formatCents(1205)).toBe('12.05');
    expect(formatCents(-5)).toBe('-0.05');
    expect(formatCents(123456789012345678n)).toBe('1234567890123456.78');
  });

  it('averages round half away from zero', () => {
    expect(averageCents(5n, 2)).toBe(3n); // 2.5 → 3
    expect(averageCents(-5n, 2)).toBe(-3n);
    expect(averageCents(10n, 3)).toBe(3n); // 3.33 → 3
    expect(averageCents(11n, 3)).toBe(4n); // 3.67 → 4
    expect(() => averageCents(1n, 0)).toThrow(RangeError);
  });
});
