/**
 * `aggregate()` — the library entry point the command (and anyone else) calls:
 * resolve the source (fetching a gs:// lake to the local cache for the local
 * engines), run the engine, and finish each query into a Report.
 */
import { isGcsUri } from '../shared/storage/location.ts';
import type { GcsStoreOptions } from '../shared/storage/index.ts';
import { type BigQueryTarget, type EngineName, loadEngine } from './engine.ts';
import { finishReport, type Report } from './groups.ts';
import type { AggregateQuery } from './query.ts';

export interface AggregateOptions {
  source: string;
  engine?: EngineName;
  queries: readonly AggregateQuery[];
  /** arrow engine threads (0 = this thread). */
  workers?: number;
  /** Where gs:// lakes are mirrored for the local engines. */
  cacheDir?: string;
  store?: GcsStoreOptions;
  bigquery?: BigQueryTarget;
  onProgress?: (step: string, done: number, total: number) => void;
}

export interface AggregateOutcome {
  engine: EngineName;
  source: string;
  /** The local folder actually read (the cache, for a gs:// source on a local engine). */
  readFrom: string;
  reports: Report[];
}

export async function aggregate(opts: AggregateOptions): Promise<AggregateOutcome> {
  const engineName = opts.engine ?? 'duckdb';
  let readFrom = opts.source;
  if (engineName !== 'bigquery' && isGcsUri(opts.source)) {
    const { cacheGcsSource } = await import('./gcs-cache.ts');
    const cached = await cacheGcsSource(opts.source, {
      cacheDir: opts.cacheDir,
      store: opts.store,
      onFile: (d, t) => opts.onProgress?.('fetch', d, t),
    });
    readFrom = cached.dir;
  }
  const engine = await loadEngine(engineName);
  const groups = await engine.aggregate(readFrom, opts.queries, {
    workers: opts.workers,
    bigquery: opts.bigquery,
    store: opts.store,
    onProgress: (d, t) => opts.onProgress?.('scan', d, t),
  });
  return {
    engine: engineName,
    source: opts.source,
    readFrom,
    reports: opts.queries.map((q, i) => finishReport(q, groups[i])),
  };
}
