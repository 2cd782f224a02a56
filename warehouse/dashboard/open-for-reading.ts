/**
 * The one place the dashboard opens the warehouse: every dashboard query runs
 * on what this returns. It never creates anything — no missing DuckDB file is
 * made, no ensure() — and BigQuery's client does not retry on its own (the
 * page refreshes anyway, so an unreachable service is reported at once).
 */
import { existsSync } from 'node:fs';
import { InputError } from '../../shared/errors.ts';
import { type OpenWarehouseOptions, openWarehouse, parseWarehouseSpec } from '../open.ts';
import type { Warehouse } from '../warehouse.ts';

export async function openWarehouseForReading(spec?: string, opts: OpenWarehouseOptions = {}): Promise<Warehouse> {
  const parsed = parseWarehouseSpec(spec, opts);
  if (parsed.kind === 'duckdb' && parsed.path !== ':memory:' && !existsSync(parsed.path)) {
    throw new InputError(
      `no DuckDB warehouse at ${parsed.path}: load one first (salesflow pipeline batch -s DIR, or salesflow demo)`,
      { file: parsed.path },
    );
  }
  return openWarehouse(spec, { ...opts, maxRetries: opts.maxRetries ?? 0 });
}

/** `duckdb:PATH` / `bigquery:PROJECT.DATASET` of a spec, for messages before (or without) opening it. */
export function warehouseTarget(spec?: string, opts: OpenWarehouseOptions = {}): string {
  const parsed = parseWarehouseSpec(spec, opts);
  return parsed.kind === 'duckdb' ? `duckdb:${parsed.path}` : `bigquery:${parsed.project}.${parsed.dataset}`;
}
