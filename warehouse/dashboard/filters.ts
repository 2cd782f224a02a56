/**
 * The dashboard's filters — a date range and a region — validated, and turned
 * into a fixed SQL condition whose values are bound parameters: the text of the
 * condition depends only on which filters are set, never on their values.
 */
import { UsageError } from '../../shared/errors.ts';
import { parseIsoDate } from '../../shared/dates.ts';
import type { Params } from '../warehouse.ts';
import { quoteForMessage } from '../../shared/format.ts';

export interface ReportFilters {
  /** First day, YYYY-MM-DD (inclusive). */
  from?: string;
  /** Last day, YYYY-MM-DD (inclusive). */
  to?: string;
  region?: string;
}

const MAX_REGION_LENGTH = 100;

/** Check and normalise filters (empty values mean "no filter"); a UsageError names the bad one. */
export function parseReportFilters(input: {
  from?: string | null;
  to?: string | null;
  region?: string | null;
}): ReportFilters {
  const out: ReportFilters = {};
  for (const key of ['from', 'to'] as const) {
    const v = input[key]?.trim();
    if (!v) continue;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(parseIsoDate(v))) {
      throw new UsageError(`${key} ${quoteForMessage(v)} is not a date (YYYY-MM-DD)`, { field: key });
    }
    out[key] = v;
  }
  if (out.from && out.to && out.from > out.to) {
    throw new UsageError(`from ${out.from} is after to ${out.to}`, { field: 'from' });
  }
  const region = input.region?.trim();
  if (region) {
    if (region.length > MAX_REGION_LENGTH) {
      throw new UsageError(`region is longer than ${MAX_REGION_LENGTH} characters`, { field: 'region' });
    }
    out.region = region;
  }
  return out;
}

/** The condition on sales rows (columns transaction_date, sales_region) and its bound values. */
export function salesFilterSql(f: ReportFilters): { where?: string; params: Params } {
  const conditions: string[] = [];
  const params: Record<string, Params[string]> = {};
  if (f.from) {
    conditions.push('transaction_date >= @filter_from');
    params.filter_from = { type: 'DATE', value: f.from };
  }
  if (f.to) {
    conditions.push('transaction_date <= @filter_to');
    params.filter_to = { type: 'DATE', value: f.to };
  }
  if (f.region) {
    conditions.push('sales_region = @filter_region');
    params.filter_region = f.region;
  }
  return { where: conditions.length > 0 ? conditions.join(' AND ') : undefined, params };
}

/** "all dates, all regions" / "2024-01-01 … 2024-03-31, North" for page captions. */
export function describeFilters(f: ReportFilters): string {
  const dates = f.from || f.to ? `${f.from ?? '…'} – ${f.to ?? '…'}` : 'all dates';
  return `${dates}, ${f.region ?? 'all regions'}`;
}
