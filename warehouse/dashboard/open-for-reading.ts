/**
 * The one place the dashboard opens the warehouse: every dashboard query runs
 * on what this returns. A read-only handle (see access.ts): it never creates
 * anything, and a missing DuckDB file is an error, not an empty warehouse.
 * BigQuery's client does not retry on its own (the page refreshes anyway, so an
 * unreachable service is reported at once).
 */
import { type OpenWarehouseOptions, openWarehouse, parseWarehouseSpec } from '../open.ts';
import type { Warehouse } from '../warehouse.ts';

export async function openWarehouseForReading(spec?: string, opts: OpenWarehouseOptions = {}): Promise<Warehouse> {
  return openWarehouse(spec, { ...opts, access: 'read', maxRetries: opts.maxRetries ?? 0 });
}

/** `duckdb:PATH` / `bigquery:PROJECT.DATASET` of a spec, for messages before (or without) opening it. */
export function warehouseTarget(spec?: string, opts: OpenWarehouseOptions = {}): string {
  const parsed = parseWarehouseSpec(spec, opts);
  return parsed.kind === 'duckdb' ? `duckdb:${parsed.path}` : `bigquery:${parsed.project}.${parsed.dataset}`;
}
