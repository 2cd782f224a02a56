/** mulberry32: a tiny seeded PRNG in [0, 1) — good enough for fixtures and fault injection, not for the generator. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fault dice: true for a seeded share (0..1) of calls, so a failing run replays with the same seed. */
export function seededChance(seed: number): (share: number | undefined) => boolean {
  const random = seededRandom(seed);
  return (share) => share !== undefined && share > 0 && random() < share;
}
