/**
 * Money is exact: amounts live in memory as integer cents (a JS number holds
 * every cent value up to 2^53, far beyond NUMERIC(12,2)'s 10^12 cents) and are
 * never summed as binary floats.
 */

export type Cents = number;

/** Largest NUMERIC(12,2) value, in cents: 9,999,999,999.99. */
export const MAX_NUMERIC_12_2_CENTS = 999_999_999_999;

/** A plain decimal amount as text (also used as a SQL regex by text validation in the warehouse). */
export const AMOUNT_PATTERN = '^(-?)([0-9]{1,10})(?:\\.([0-9]{1,2}))?$';
const AMOUNT_RE = new RegExp(AMOUNT_PATTERN);

/**
 * Parse a decimal string ("12", "12.3", "12.34", "-0.50") to cents, or NaN if it
 * is not a plain decimal with at most 10 integer and 2 fraction digits.
 */
export function parseCents(text: string): Cents {
  const m = AMOUNT_RE.exec(text);
  if (m === null) return Number.NaN;
  const whole = Number(m[2]);
  const frac = m[3] === undefined ? 0 : m[3].length === 1 ? Number(m[3]) * 10 : Number(m[3]);
  const cents = whole * 100 + frac;
  return m[1] === '-' ? -cents : cents;
}

/** Format cents as a plain decimal with exactly two fraction digits. */
export function formatCents(cents: Cents | bigint): string {
  const big = typeof cents === 'bigint' ? cents : BigInt(cents);
  const neg = big < 0n;
  const abs = neg ? -big : big;
  const whole = abs / 100n;
  const frac = abs % 100n;
  return `${neg ? '-' : ''}${whole}.${frac < 10n ? '0' : ''}${frac}`;
}

/**
 * Average in cents, rounded half away from zero to the cent (BigQuery's ROUND on
 * NUMERIC does the same). Engines compute an exact sum and count and derive the
 * average here, so every engine reports identical averages — never via DOUBLE.
 */
export function averageCents(sum: bigint, count: bigint | number): bigint {
  const n = typeof count === 'bigint' ? count : BigInt(count);
  if (n === 0n) throw new RangeError('average of zero values');
  const neg = sum < 0n;
  const abs = neg ? -sum : sum;
  const q = (abs * 2n + n) / (2n * n);
  return neg ? -q : q;
}
