/**
 * A CPU-heavy element function for benchmarking mapInWorkers (a worker thread
 * loads this module by URL): calibrated so each element costs far more than
 * handing it to a worker does, deterministic so both candidates' checksums agree.
 */

/** A deliberately slow hash of a number (~`rounds` multiply-mods). */
export function slowHash(x: number, rounds = 2000): number {
  let h = x >>> 0;
  for (let i = 0; i < rounds; i++) h = (h * 31 + i) % 1_000_003;
  return h;
}

/** ~55 µs per sale here: far more work per element than a structured clone costs. */
export function score(sale: { id: number; cents: number }): { id: number; score: number } {
  return { id: sale.id, score: slowHash(sale.id * 7 + sale.cents) };
}
