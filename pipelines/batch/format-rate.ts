/** A rate (0..1) as a short percentage for messages: 0.05 → "5%", 0.1234 → "12.34%". */
export function formatPercent(rate: number): string {
  return Number.isFinite(rate) ? `${Number((rate * 100).toFixed(2))}%` : '?%';
}
