/**
 * Pick a warehouse from `--warehouse duckdb:PATH | bigquery:PROJECT.DATASET`
 * (or SALESFLOW_WAREHOUSE); the embedded DuckDB file is the default.
 */
import { UsageError } from '../shared/errors.ts';
import type { Place } from '../shared/overlap.ts';
import type { WarehouseAccess } from './access.ts';
import type { Warehouse } from './warehouse.ts';

/** The embedded warehouse when no --warehouse or SALESFLOW_WAREHOUSE names one. */
export const DEFAULT_DUCKDB_PATH = '.salesflow/warehouse.duckdb';

export interface OpenWarehouseOptions {
  /**
   * What the handle's SQL may do: `read` (default) one SELECT-like statement,
   * `write` also changes to the warehouse's own tables, `pipeline` anything the
   * loaders need (see access.ts). Read and write handles never create a missing
   * warehouse.
   */
  access?: WarehouseAccess;
  /** BigQuery API endpoint (test server); default BIGQUERY_EMULATOR_HOST, else Google. */
  endpoint?: string;
  /** BigQuery dataset, when the spec names only a project (or nothing). */
  dataset?: string;
  /** BigQuery location for jobs and the dataset (default US). */
  location?: string;
  /** BigQuery: client retries of transient failures (default 3; a dashboard that refreshes anyway wants 0). */
  maxRetries?: number;
  /** BigQuery Storage Write API `host:port` (test server); default BIGQUERY_STORAGE_EMULATOR_HOST, else Google. */
  storageEndpoint?: string;
  /** The warehouse must exist already (`--no-create`): a missing DuckDB file is refused, never created. */
  mustExist?: boolean;
}

export type WarehouseSpec = { kind: 'duckdb'; path: string } | { kind: 'bigquery'; project: string; dataset: string };

const DATASET_RE = /^[A-Za-z0-9_]{1,1024}$/;
const PROJECT_RE = /^[a-z][a-z0-9:.-]{2,62}$|^[a-z0-9-]{1,63}$/;

/**
 * The local files a warehouse lives in, for the overlap check of a command
 * that writes files while reading it: a DuckDB database is its file, its
 * write-ahead log (committed changes not yet checkpointed: replacing it loses
 * them) and its spill folder. BigQuery has none.
 */
export function warehousePlaces(spec: WarehouseSpec): Place[] {
  if (spec.kind !== 'duckdb' || spec.path === ':memory:') return [];
  return [spec.path, `${spec.path}.wal`, `${spec.path}.tmp`].map((path) => ({ path, role: 'the warehouse' }));
}

/**
 * warehousePlaces of what a loader was given: an open warehouse, or the spec
 * it will open (undefined: SALESFLOW_WAREHOUSE, else the default file). A
 * loader writes there, so these are outputs its inputs may not overlap.
 */
export function loaderWarehousePlaces(warehouse: Warehouse | string | undefined, opts: OpenWarehouseOptions = {}) {
  if (typeof warehouse === 'object') {
    return warehouse.target.startsWith('duckdb:')
      ? warehousePlaces({ kind: 'duckdb', path: warehouse.target.slice('duckdb:'.length) })
      : [];
  }
  return warehousePlaces(parseWarehouseSpec(warehouse, opts));
}

export function parseWarehouseSpec(spec: string | undefined, opts: OpenWarehouseOptions = {}): WarehouseSpec {
  const text = spec ?? process.env.SALESFLOW_WAREHOUSE ?? `duckdb:${DEFAULT_DUCKDB_PATH}`;
  const colon = text.indexOf(':');
  const kind = colon === -1 ? text : text.slice(0, colon);
  const rest = colon === -1 ? '' : text.slice(colon + 1);
  if (kind === 'duckdb') return { kind, path: rest || DEFAULT_DUCKDB_PATH };
  if (kind === 'bigquery') {
    // bigquery:PROJECT.DATASET, bigquery:DATASET (project from GOOGLE_CLOUD_PROJECT) or bigquery: + --dataset.
    const lastDot = rest.lastIndexOf('.');
    const project = lastDot === -1 ? process.env.GOOGLE_CLOUD_PROJECT : rest.slice(0, lastDot);
    const dataset = (lastDot === -1 ? rest : rest.slice(lastDot + 1)) || opts.dataset;
    if (!project) {
      throw new UsageError(`warehouse ${text}: no project; use bigquery:PROJECT.DATASET or set GOOGLE_CLOUD_PROJECT`, {
        field: 'warehouse',
      });
    }
    if (!dataset || !DATASET_RE.test(dataset)) {
      throw new UsageError(
        `warehouse ${text}: ${dataset ? `invalid dataset "${dataset}" (letters, digits, _)` : 'no dataset'}; use bigquery:PROJECT.DATASET`,
        { field: 'warehouse' },
      );
    }
    if (!PROJECT_RE.test(project))
      throw new UsageError(`warehouse ${text}: invalid project "${project}"`, { field: 'warehouse' });
    return { kind, project, dataset };
  }
  throw new UsageError(`unknown warehouse "${text}"; use duckdb:PATH or bigquery:PROJECT.DATASET`, {
    field: 'warehouse',
  });
}

/** A warehouse handle; read-only unless `opts.access` asks for more. */
export async function openWarehouse(spec?: string, opts: OpenWarehouseOptions = {}): Promise<Warehouse> {
  const parsed = parseWarehouseSpec(spec, opts);
  const access = opts.access ?? 'read';
  // Each implementation is loaded only when chosen (the BigQuery client is a heavy import).
  if (parsed.kind === 'duckdb') {
    const { DuckDBWarehouse } = await import('./duckdb-warehouse.ts');
    return DuckDBWarehouse.open(parsed.path, { access, mustExist: opts.mustExist });
  }
  const { BigQueryWarehouse } = await import('./bigquery-warehouse.ts');
  return BigQueryWarehouse.open({
    projectId: parsed.project,
    dataset: parsed.dataset,
    endpoint: opts.endpoint,
    location: opts.location,
    maxRetries: opts.maxRetries,
    storageEndpoint: opts.storageEndpoint,
    access,
  });
}

/**
 * `--create` / `--no-create` of the loaders: create the warehouse's dataset,
 * tables and views when missing (default), or — against a dataset someone else
 * provisions (Terraform's `check_only`) — only check they exist (check.ts).
 */
export const CREATE_OPTION = {
  type: 'boolean',
  default: true,
  describe:
    "Create the warehouse's dataset, tables and views when missing; --no-create only checks that they exist " +
    '(exit 2 naming what is missing) and creates none of them: for a dataset Terraform manages',
} as const;

/** The `--warehouse` flag, the same for every command that reaches the warehouse. */
export const WAREHOUSE_OPTION = {
  type: 'string',
  describe:
    'duckdb:PATH or bigquery:PROJECT.DATASET (default SALESFLOW_WAREHOUSE, else duckdb:.salesflow/warehouse.duckdb)',
} as const;
