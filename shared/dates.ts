/**
 * Calendar dates as days since 1970-01-01 (Arrow date32, Parquet DATE), with
 * strict ISO `YYYY-MM-DD` parsing: no time part, no out-of-range days.
 */

const MS_PER_DAY = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since epoch for a strict `YYYY-MM-DD`, or NaN if it is not a real date. */
export function parseIsoDate(text: string): number {
  const m = DATE_RE.exec(text);
  if (m === null) return Number.NaN;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return Number.NaN;
  return Date.UTC(y, mo - 1, d) / MS_PER_DAY;
}

export function formatEpochDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** ISO weekday of an epoch day: 0 = Monday … 6 = Sunday. */
export function weekdayOfEpochDay(day: number): number {
  // 1970-01-01 was a Thursday (index 3).
  return (((day + 3) % 7) + 7) % 7;
}
