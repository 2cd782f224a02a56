/**
 * The sales model: every distribution the hot loop samples, built once per
 * process from the options (a few milliseconds for the default 100k customers).
 * It is a pure function of (seed, customers, dates, domains): every worker
 * builds the same model, so no tables cross thread boundaries.
 *
 * Shape of the data:
 * - customers: Zipf–Mandelbrot popularity, ranks permuted over ids, so a few
 *   customers buy a lot and top-customer reports mean something (customers.ts);
 * - each customer has a home region where most of their sales happen;
 * - dates: weekday pattern × month seasonality (Nov/Dec peak, Jan/Feb lull)
 *   × Black Friday / Cyber Monday spikes × ~10%/year growth;
 * - amounts: log-normal per category (different typical price), truncated to
 *   1.00–5000.00 (inverse-CDF sampling from a normal quantile table), exact cents;
 * - category and region mix: uneven (see profiles.ts).
 */
import { weekdayOfEpochDay } from '../shared/dates.ts';
import { type AliasTable, buildAliasTable } from './alias-table.ts';
import { buildCustomerModel, type CustomerModel } from './customers.ts';
import { inverseNormalCdf, normalCdf } from './normal.ts';
import type { ResolvedGenOptions } from './options.ts';
import { categoryProfile, regionWeight } from './profiles.ts';
import { namedStream } from './prng.ts';

export const MIN_AMOUNT_CENTS = 100;
export const MAX_AMOUNT_CENTS = 500_000;
/** Share of a customer's sales booked in their home region. */
export const HOME_REGION_SHARE = 0.85;
/** Log-normal amounts: median before the category's price scale, and spread. */
export const AMOUNT_MEDIAN = 35;
export const AMOUNT_SIGMA = 0.95;
/** Index 0 = Monday. Weekends sell more. */
export const WEEKDAY_FACTORS = [0.92, 0.9, 0.95, 1.0, 1.12, 1.3, 1.18];
/** Index 0 = January. */
export const MONTH_FACTORS = [0.8, 0.78, 0.92, 0.95, 1.0, 1.02, 1.0, 1.06, 0.93, 0.98, 1.22, 1.5];
export const YEARLY_GROWTH = 0.1;
/** Resolution of the amount quantile tables. */
export const AMOUNT_STEPS = 1024;

export interface SalesModel {
  readonly seed: number;
  readonly customers: CustomerModel;
  readonly regions: AliasTable;
  /** HOME_REGION_SHARE scaled to a uint32 threshold. */
  readonly homeRegionThreshold: number;
  /** Offset in days from startDay. */
  readonly days: AliasTable;
  readonly startDay: number;
  readonly categories: AliasTable;
  /** Per category: log-normal mu (log of the median amount in currency units). */
  readonly amountMu: Float64Array;
  readonly amountSigma: number;
  /** Per category: the CDF window [lo, lo + span) of z whose amount is within 1.00–5000.00. */
  readonly amountLo: Float64Array;
  readonly amountSpan: Float64Array;
  /**
   * Per category (offset c * (AMOUNT_STEPS + 1)): the amount in cents at the
   * quantiles i / AMOUNT_STEPS of its truncated log-normal. The hot loop
   * interpolates between neighbours — no log or exp per row, 4 KB per category —
   * and computes the first and last step (the curved tails) exactly.
   */
  readonly amountQuantiles: Float32Array;
  /** Round keys of the transaction-id permutation. */
  readonly idKeys: Uint32Array;
}

export function buildSalesModel(o: ResolvedGenOptions): SalesModel {
  const regions = buildAliasTable(o.domains.regions.map(regionWeight));
  const categoryProfiles = o.domains.categories.map(categoryProfile);
  const categories = buildAliasTable(categoryProfiles.map((p) => p.weight));

  const dayCount = o.endDay - o.startDay + 1;
  const dayWeights = new Float64Array(dayCount);
  for (let i = 0; i < dayCount; i++) dayWeights[i] = dayWeight(o.startDay + i, i);

  const sigma = AMOUNT_SIGMA;
  const amountMu = new Float64Array(categoryProfiles.length);
  const amountLo = new Float64Array(categoryProfiles.length);
  const amountSpan = new Float64Array(categoryProfiles.length);
  const amountQuantiles = new Float32Array(categoryProfiles.length * (AMOUNT_STEPS + 1));
  categoryProfiles.forEach((p, c) => {
    const mu = Math.log(AMOUNT_MEDIAN * p.priceScale);
    amountMu[c] = mu;
    // Truncate: only the part of the normal whose exp(mu + sigma z) is within 1.00–5000.00.
    const lo = normalCdf((Math.log(MIN_AMOUNT_CENTS / 100) - mu) / sigma);
    const hi = normalCdf((Math.log(MAX_AMOUNT_CENTS / 100) - mu) / sigma);
    amountLo[c] = lo;
    amountSpan[c] = hi - lo;
    for (let i = 0; i <= AMOUNT_STEPS; i++) {
      amountQuantiles[c * (AMOUNT_STEPS + 1) + i] = amountAtQuantile(mu, sigma, lo + ((hi - lo) * i) / AMOUNT_STEPS);
    }
  });

  const keys = namedStream(o.seed, 'transaction-ids');
  const idKeys = new Uint32Array([keys.next(), keys.next(), keys.next(), keys.next()]);

  return {
    seed: o.seed,
    customers: buildCustomerModel(o.seed, o.customers),
    regions,
    homeRegionThreshold: HOME_REGION_SHARE * 2 ** 32,
    days: buildAliasTable(dayWeights),
    startDay: o.startDay,
    categories,
    amountMu,
    amountSigma: sigma,
    amountLo,
    amountSpan,
    amountQuantiles,
    idKeys,
  };
}

/** Amount in cents (unrounded, clamped to the range) at CDF position u of a log-normal. */
export function amountAtQuantile(mu: number, sigma: number, u: number): number {
  const z = inverseNormalCdf(Math.min(Math.max(u, 1e-15), 1 - 1e-15));
  return Math.min(MAX_AMOUNT_CENTS, Math.max(MIN_AMOUNT_CENTS, Math.exp(mu + sigma * z) * 100));
}

/** Relative sales volume of one calendar day. */
export function dayWeight(epochDay: number, daysSinceStart: number): number {
  const date = new Date(epochDay * 86_400_000);
  const month = date.getUTCMonth();
  const dom = date.getUTCDate();
  let w = WEEKDAY_FACTORS[weekdayOfEpochDay(epochDay)] * MONTH_FACTORS[month];
  if (month === 10) {
    // Black Friday is the day after the 4th Thursday of November; Cyber Monday 3 days later.
    const firstWeekday = weekdayOfEpochDay(epochDay - dom + 1);
    const firstThursday = 1 + ((3 - firstWeekday + 7) % 7);
    const blackFriday = firstThursday + 22;
    if (dom === blackFriday) w *= 2.6;
    else if (dom === blackFriday + 3) w *= 2; // in December when Black Friday is the 28th or 29th: skipped
  } else if (month === 11 && dom === 25) {
    w *= 0.3;
  } else if (month === 11 && dom >= 26) {
    w *= 1.2;
  }
  return w * Math.exp((YEARLY_GROWTH * daysSinceStart) / 365);
}
