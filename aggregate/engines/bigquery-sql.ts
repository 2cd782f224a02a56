/**
 * BigQuery Standard SQL for an AggregateQuery, and what to read it from: a
 * table, or `gs://` Parquet read in place as a temporary external table with
 * hive partitioning. Sums, minimums and maximums come back as NUMERIC cast to
 * STRING, so no float ever touches them; averages are derived from sum and
 * count like every other engine.
 */
import { UsageError } from '../../shared/errors.ts';
import { formatCents } from '../../shared/money.ts';
import { columnSpec, type ColumnName } from '../../shared/schema/columns.ts';
import { bigqueryString } from '../../shared/bigquery-quote.ts';
import { needsMinMax } from '../groups.ts';
import type { AggregateQuery, Filter, GroupKey } from '../query.ts';

/** The alias a gs:// source is queried under (a query-scoped external table). */
export const EXTERNAL_TABLE_ALIAS = 'salesflow_lake';

export type BigQuerySource =
  | { kind: 'table'; projectId?: string; datasetId: string; tableId: string }
  | { kind: 'external'; uri: string; prefix: string };

/** `dataset.table`, `project.dataset.table`, `project:dataset.table` or `gs://bucket/lake`. */
export function parseBigQuerySource(source: string): BigQuerySource {
  if (source.startsWith('gs://')) {
    const prefix = source.endsWith('/') ? source : `${source}/`;
    if (!/^gs:\/\/[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]\//.test(prefix)) {
      throw new UsageError(`"${source}" is not a gs://bucket/path URI`, { object: source });
    }
    return { kind: 'external', uri: `${prefix}*`, prefix };
  }
  const m = /^(?:([a-z][a-z0-9.:-]{4,61}[a-z0-9])[.:])?([A-Za-z0-9_]{1,1024})\.([A-Za-z0-9_$-]{1,1024})$/.exec(source);
  if (m === null) {
    throw new UsageError(
      `"${source}" is not a BigQuery table (dataset.table or project.dataset.table) nor a gs:// folder`,
      { object: source },
    );
  }
  return { kind: 'table', projectId: m[1], datasetId: m[2], tableId: m[3] };
}

export function bigqueryFromClause(src: BigQuerySource, defaultProject: string): string {
  if (src.kind === 'external') return `\`${EXTERNAL_TABLE_ALIAS}\``;
  return `\`${src.projectId ?? defaultProject}.${src.datasetId}.${src.tableId}\``;
}

/**
 * The `tableDefinitions` entry of a query job for a gs:// hive-partitioned Parquet folder:
 * the files its layout defines, listed one by one (a wildcard would also take a `backup/`
 * copy inside a partition), or the whole prefix when no list is given.
 */
export function externalTableDefinition(src: Extract<BigQuerySource, { kind: 'external' }>, uris?: string[]) {
  return {
    [EXTERNAL_TABLE_ALIAS]: {
      sourceFormat: 'PARQUET',
      sourceUris: uris ?? [src.uri],
      hivePartitioningOptions: { mode: 'AUTO', sourceUriPrefix: src.prefix },
    },
  };
}

function ident(c: ColumnName): string {
  return `\`${c}\``;
}

/**
 * Date labels come from the canonical `YYYY-MM-DD` text of CAST(date AS STRING),
 * which every BigQuery-compatible engine agrees on (FORMAT_DATE is not
 * everywhere, e.g. not on the test server); weeks use DATE_TRUNC(…, ISOWEEK).
 */
export function bigqueryKeyExpr(key: GroupKey): string {
  const col = ident(key.column);
  switch (key.datePart) {
    case undefined:
    case 'day':
      return `CAST(${col} AS STRING)`;
    case 'week':
      return `CAST(DATE_TRUNC(${col}, ISOWEEK) AS STRING)`;
    case 'month':
      return `SUBSTR(CAST(${col} AS STRING), 1, 7)`;
    case 'year':
      return `SUBSTR(CAST(${col} AS STRING), 1, 4)`;
  }
}

function literal(column: ColumnName, v: Filter['values'][number]): string {
  switch (columnSpec(column).type) {
    case 'STRING':
      return bigqueryString(v.text);
    case 'DATE':
      return `DATE ${bigqueryString(v.text)}`;
    case 'NUMERIC':
      return `NUMERIC ${bigqueryString(formatCents(v.num))}`;
    case 'INT64':
      return v.text;
  }
}

export function bigqueryFilterSql(f: Filter): string {
  const col = ident(f.column);
  if (f.values.length > 1) {
    const list = f.values.map((v) => literal(f.column, v)).join(', ');
    return `${col} ${f.op === '=' ? 'IN' : 'NOT IN'} (${list})`;
  }
  return `${col} ${f.op} ${literal(f.column, f.values[0])}`;
}

/** One SELECT returning k0…kn, n, s (and lo, hi for min/max) per group (amounts as exact decimal strings). */
export function bigqueryQuerySql(q: AggregateQuery, from: string): string {
  const cols = [
    ...q.by.map((k, i) => `${bigqueryKeyExpr(k)} AS k${i}`),
    'COUNT(*) AS n',
    'CAST(SUM(sale_amount) AS STRING) AS s',
  ];
  if (needsMinMax(q)) cols.push('CAST(MIN(sale_amount) AS STRING) AS lo', 'CAST(MAX(sale_amount) AS STRING) AS hi');
  const where = q.where.length > 0 ? `\nWHERE ${q.where.map(bigqueryFilterSql).join('\n  AND ')}` : '';
  return `SELECT ${cols.join(', ')}\nFROM ${from}${where}\nGROUP BY ${q.by.map((_, i) => i + 1).join(', ')}`;
}

/**
 * A NUMERIC rendered as text ("1234.5", "-0.07", "12", "1.230000000") → cents.
 * Anything finer than a cent is an error, never silently rounded.
 */
export function decimalTextToCents(text: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (m === null) throw new RangeError(`not a decimal: "${text}"`);
  const frac = (m[3] ?? '').padEnd(2, '0');
  if (/[1-9]/.test(frac.slice(2))) throw new RangeError(`"${text}" has fractions of a cent`);
  const cents = BigInt(m[2]) * 100n + BigInt(frac.slice(0, 2));
  return m[1] === '-' ? -cents : cents;
}
