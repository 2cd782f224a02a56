/**
 * Pushes the queries down to BigQuery: one query job per report against a
 * table, or against the gs:// Parquet lake read in place (external table with
 * hive partitioning). Only the grouped totals travel back.
 */
import type { BigQuery } from '@google-cloud/bigquery';
import { InputError, UsageError } from '../../shared/errors.ts';
import { type GcsStoreOptions, openStore } from '../../shared/storage/index.ts';
import { createBigQueryClient } from '../../shared/bigquery/client.ts';
import { fromBigQueryError } from '../../shared/bigquery/errors.ts';
import type { AggregateEngine, BigQueryTarget } from '../engine.ts';
import type { GroupTotals } from '../groups.ts';
import { storeLake } from '../store-lake.ts';
import type { AggregateQuery } from '../query.ts';
import {
  type BigQuerySource,
  bigqueryFromClause,
  bigqueryQuerySql,
  decimalTextToCents,
  externalTableDefinition,
  parseBigQuerySource,
} from './bigquery-sql.ts';

export const bigqueryEngine: AggregateEngine = {
  name: 'bigquery',
  async aggregate(source, queries, opts = {}) {
    const src = parseBigQuerySource(source);
    const target = opts.bigquery ?? {};
    const projectId =
      target.projectId ?? (src.kind === 'table' ? src.projectId : undefined) ?? process.env.GOOGLE_CLOUD_PROJECT;
    if (!projectId) {
      throw new UsageError(
        'which Google Cloud project? Give --project, project.dataset.table, or set GOOGLE_CLOUD_PROJECT',
        {
          object: source,
        },
      );
    }
    const client = createBigQueryClient(projectId, target.apiEndpoint);
    const from = bigqueryFromClause(src, projectId);
    const uris = src.kind === 'external' ? await lakeUris(src.prefix, opts.store) : undefined;
    const out: GroupTotals[][] = [];
    for (const q of queries) out.push(await runQuery(client, src, q, from, target, source, uris));
    return out;
  },
};

async function runQuery(
  client: BigQuery,
  src: BigQuerySource,
  q: AggregateQuery,
  from: string,
  target: BigQueryTarget,
  source: string,
  uris?: string[],
): Promise<GroupTotals[]> {
  const query = bigqueryQuerySql(q, from);
  let rows: Record<string, unknown>[];
  try {
    [rows] = await client.query({
      query,
      useLegacySql: false,
      location: target.location,
      ...(src.kind === 'external' ? { tableDefinitions: externalTableDefinition(src, uris) } : {}),
    });
  } catch (err) {
    throw fromBigQueryError(err, { object: source, step: 'aggregate query' });
  }
  return rows.map((r) => ({
    keys: q.by.map((_, i) => {
      const v = r[`k${i}`];
      return v === null || v === undefined ? '' : String(v);
    }),
    count: BigInt(String(r.n)),
    sum: decimalTextToCents(String(r.s)),
    min: r.lo === undefined ? undefined : decimalTextToCents(String(r.lo)),
    max: r.hi === undefined ? undefined : decimalTextToCents(String(r.hi)),
  }));
}

/** BigQuery reads at most this many source URIs in one table definition. */
const MAX_SOURCE_URIS = 10_000;

/** The gs:// URIs of the Parquet files a lake's layout defines (shared/lake-layout.ts). */
export async function lakeUris(prefix: string, storeOptions?: GcsStoreOptions): Promise<string[]> {
  const store = openStore(prefix.replace(/\/+$/, ''), storeOptions);
  const lake = await storeLake(store, (await store.list('', { recursive: true })).objects);
  if (lake.files.length === 0) throw new InputError(`no Parquet files under ${prefix}`, { object: prefix });
  if (lake.files.length > MAX_SOURCE_URIS) {
    throw new InputError(
      `${prefix} has ${lake.files.length} Parquet files; BigQuery reads at most ${MAX_SOURCE_URIS} per query: aggregate a loaded table instead`,
      { object: prefix },
    );
  }
  return lake.files.map((f) => store.uri(f.key));
}
