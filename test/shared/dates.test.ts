/** Calendar dates as epoch days: strict parsing, exact formatting. */
import { describe, expect, it } from 'vitest';
import { formatEpochDay, parseIsoDate, weekdayOfEpochDay } from '../../shared/dates.ts';

describe('dates', () => {
  it('round-trips epoch days and knows weekdays', () => {
    expect(parseIsoDate('1970-01-01')).toBe(0);
    expect(formatEpochDay(parseIsoDate('2024-02-29'))).toBe('2024-02-29');
    expect(weekdayOfEpochDay(parseIsoDate('2026-11-22'))).toBe(6); // a Sunday
    expect(parseIsoDate('2100-02-29')).toBeNaN();
  });

  it('formats days exactly as the calendar (Date) does: every day of 1900–2100, every 13th of years 0–9999', () => {
    const first = -719_528; // 0000-01-01
    const last = 2_932_896; // 9999-12-31
    const check = (day: number) => {
      const expected = new Date(day * 86_400_000).toISOString().slice(0, 10);
      if (formatEpochDay(day) !== expected) expect(formatEpochDay(day), `day ${day}`).toBe(expected);
    };
    for (let day = parseIsoDate('1900-01-01'); day <= parseIsoDate('2100-12-31'); day++) check(day);
    for (let day = first; day <= last; day += 13) check(day);
    expect(formatEpochDay(-1)).toBe('1969-12-31');
    expect(formatEpochDay(first)).toBe('0000-01-01');
    expect(formatEpochDay(last)).toBe('9999-12-31');
  });
});
