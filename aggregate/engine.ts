/**
 * The engine interface: every engine answers the same AggregateQuery list with
 * exact per-group totals (GroupTotals), one list per query. Engines are loaded
 * on demand so `--engine duckdb` never pays for loading the BigQuery client.
 */
import type { GcsStoreOptions } from '../shared/storage/index.ts';
import type { GroupTotals } from './groups.ts';
import type { AggregateQuery } from './query.ts';

export const ENGINES = ['duckdb', 'arrow', 'bigquery'] as const;
export type EngineName = (typeof ENGINES)[number];

export interface BigQueryTarget {
  projectId?: string;
  /** REST endpoint (a test server); default: Google's. */
  apiEndpoint?: string;
  location?: string;
}

export interface EngineOptions {
  /** arrow: worker threads (default: available cores, at most one per work unit). 0 = run in this thread. */
  workers?: number;
  /** Called as files / row groups complete (for a progress line). */
  onProgress?: (done: number, total: number) => void;
  bigquery?: BigQueryTarget;
  /** bigquery: how to list a gs:// lake (its layout decides which files the external table reads). */
  store?: GcsStoreOptions;
}

export interface AggregateEngine {
  readonly name: EngineName;
  /**
   * SOURCE is a local path for duckdb/arrow (gs:// is fetched to a local cache
   * before); for bigquery a table (`dataset.table`, `project.dataset.table`) or
   * a `gs://` Parquet folder read as an external table.
   */
  aggregate(source: string, queries: readonly AggregateQuery[], opts?: EngineOptions): Promise<GroupTotals[][]>;
}

export async function loadEngine(name: EngineName): Promise<AggregateEngine> {
  switch (name) {
    case 'duckdb':
      return (await import('./engines/duckdb.ts')).duckdbEngine;
    case 'arrow':
      return (await import('./engines/arrow.ts')).arrowEngine;
    case 'bigquery':
      return (await import('./engines/bigquery.ts')).bigqueryEngine;
  }
}
