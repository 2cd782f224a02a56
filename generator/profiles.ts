/**
 * What makes the data look like a shop's: how popular each category and region
 * is and how expensive a category runs. The default domains get hand-picked
 * values; any other domain value gets a stable pseudo-random profile derived
 * from its name, so custom domains are skewed too, and identically on every run.
 */
import { labelKey, mix32 } from './prng.ts';

export interface CategoryProfile {
  /** Relative share of sales. */
  weight: number;
  /** Multiplier on the typical sale amount. */
  priceScale: number;
}

const CATEGORY_PROFILES: Record<string, CategoryProfile> = {
  Electronics: { weight: 14, priceScale: 3.2 },
  Clothing: { weight: 16, priceScale: 1.1 },
  'Home & Garden': { weight: 11, priceScale: 1.7 },
  Sports: { weight: 8, priceScale: 1.4 },
  Books: { weight: 7, priceScale: 0.45 },
  Toys: { weight: 6, priceScale: 0.8 },
  Beauty: { weight: 9, priceScale: 0.6 },
  Grocery: { weight: 18, priceScale: 0.5 },
  Automotive: { weight: 4, priceScale: 2.6 },
  Health: { weight: 7, priceScale: 0.7 },
};

const REGION_WEIGHTS: Record<string, number> = { North: 22, South: 24, East: 20, West: 26, Central: 8 };

/** A stable number in [0, 1) from a string. */
function nameUnit(name: string, salt: number): number {
  return labelKey(mix32(salt), name) / 2 ** 32;
}

export function categoryProfile(name: string): CategoryProfile {
  return (
    CATEGORY_PROFILES[name] ?? {
      // Weights spread over 1..20 and prices over 0.4x..3x (log-uniform): clearly uneven.
      weight: 1 + 19 * nameUnit(name, 1) ** 2,
      priceScale: Math.exp(Math.log(0.4) + (Math.log(3) - Math.log(0.4)) * nameUnit(name, 2)),
    }
  );
}

export function regionWeight(name: string): number {
  return REGION_WEIGHTS[name] ?? 5 + 25 * nameUnit(name, 3);
}
