/**
 * Ticket categories: a sale's size class by amount. The bounds live here and
 * nowhere else; the enriched silver view derives `ticket_category` from them.
 * Bounds are in integer cents and compared as `amount * 100 < bound`, exact on
 * both dialects (NUMERIC/DECIMAL against an integer, never a float literal).
 */
export interface TicketCategory {
  name: string;
  /** Sales below this many cents (and at or above the previous bound) fall in this category; none for the last. */
  belowCents?: number;
}

export const TICKET_CATEGORIES: readonly TicketCategory[] = Object.freeze([
  { name: 'small', belowCents: 2_500 },
  { name: 'medium', belowCents: 10_000 },
  { name: 'large', belowCents: 50_000 },
  { name: 'premium' },
]);

/** CASE expression for the category of a NUMERIC(…, 2) amount column; the same text on both dialects. */
export function ticketCategorySql(column: string): string {
  const whens = TICKET_CATEGORIES.filter((c) => c.belowCents !== undefined).map(
    (c) => `WHEN ${column} * 100 < ${c.belowCents} THEN '${c.name}'`,
  );
  return `CASE ${whens.join(' ')} ELSE '${TICKET_CATEGORIES[TICKET_CATEGORIES.length - 1].name}' END`;
}
