/** Calendar dates as epoch days: strict parsing, exact formatting. */
import { describe, expect, it } from 'vitest';
import { daysFromCivil, formatEpochDay, parseIsoDate, weekdayOfEpochDay } from '../../shared/dates.ts';

const FIRST = -719_528; // 0000-01-01
const LAST = 2_932_896; // 9999-12-31

describe('dates', () => {
  it('round-trips epoch days and knows weekdays', () => {
    expect(parseIsoDate('1970-01-01')).toBe(0);
    expect(formatEpochDay(parseIsoDate('2024-02-29'))).toBe('2024-02-29');
    expect(weekdayOfEpochDay(parseIsoDate('2026-11-22'))).toBe(6); // a Sunday
    expect(parseIsoDate('2100-02-29')).toBeNaN();
  });

  it('formats days exactly as the calendar (Date) does: every day of 1900–2100, every 13th of years 0–9999', () => {
    const check = (day: number) => {
      const expected = new Date(day * 86_400_000).toISOString().slice(0, 10);
      if (formatEpochDay(day) !== expected) expect(formatEpochDay(day), `day ${day}`).toBe(expected);
    };
    for (let day = parseIsoDate('1900-01-01'); day <= parseIsoDate('2100-12-31'); day++) check(day);
    for (let day = FIRST; day <= LAST; day += 13) check(day);
    expect(formatEpochDay(-1)).toBe('1969-12-31');
    expect(formatEpochDay(FIRST)).toBe('0000-01-01');
    expect(formatEpochDay(LAST)).toBe('9999-12-31');
  });

  it('parses every year 0000–9999 as that year: years 0–99 are not 1900–1999', () => {
    // Every day of the first two centuries (where Date.UTC would add 1900), then every 7th day.
    for (let day = FIRST; day <= LAST; day += day < parseIsoDate('0200-01-01') ? 1 : 7) {
      const text = formatEpochDay(day);
      if (parseIsoDate(text) !== day) expect(parseIsoDate(text), text).toBe(day);
    }
    expect(formatEpochDay(parseIsoDate('0099-12-31'))).toBe('0099-12-31');
    expect(parseIsoDate('0000-02-29')).toBe(FIRST + 59); // year 0 is a leap year
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
  });
});
