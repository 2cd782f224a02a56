/**
 * DuckDB SQL for an AggregateQuery. Sums, minimums and maximums stay DECIMAL
 * (exact); group keys are cast to VARCHAR so every engine hands back the same
 * labels. Averages are not computed in SQL: they are derived from the exact sum
 * and count (shared/money.ts averageCents).
 */
import { formatCents } from '../../shared/money.ts';
import { type ColumnName, columnSpec } from '../../shared/schema/columns.ts';
import { duckdbType } from '../../shared/schema/duckdb.ts';
import { textColumnsSql } from './csv-validation-sql.ts';
import { MAX_LINE_BYTES } from '../../shared/schema/validate.ts';
import { needsMinMax } from '../groups.ts';
import type { LakeFile } from '../lake.ts';
import type { AggregateQuery, Filter, GroupKey } from '../query.ts';
import { duckdbIdent, duckdbString } from '../../shared/duckdb-quote.ts';

/** `read_parquet([...], hive_partitioning = true, hive_types = {...})`: partition columns typed by our schema. */
export function duckdbParquetFrom(files: readonly LakeFile[], partitionColumns: readonly ColumnName[]): string {
  const list = `[${files.map((f) => duckdbString(f.path)).join(', ')}]`;
  if (partitionColumns.length === 0) return `read_parquet(${list})`;
  const types = partitionColumns
    .map((c) => `${duckdbString(c)}: ${duckdbString(duckdbType(columnSpec(c)))}`)
    .join(', ');
  return `read_parquet(${list}, hive_partitioning = true, hive_types = {${types}})`;
}

/**
 * `read_csv(...)` of a sales CSV as text (every column VARCHAR, judged by
 * csv-validation-sql.ts before any cast: DuckDB's casts would guess), with the
 * record line limit every reader applies (MAX_LINE_BYTES).
 */
export function duckdbCsvTextFrom(path: string): string {
  return `read_csv(${duckdbString(path)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', max_line_size = ${MAX_LINE_BYTES}, columns = ${textColumnsSql()})`;
}

export function duckdbKeyExpr(key: GroupKey): string {
  const col = duckdbIdent(key.column);
  switch (key.datePart) {
    case undefined:
    case 'day':
      return columnSpec(key.column).type === 'DATE' ? `strftime(${col}, '%Y-%m-%d')` : `CAST(${col} AS VARCHAR)`;
    case 'week':
      return `strftime(date_trunc('week', ${col}), '%Y-%m-%d')`;
    case 'month':
      return `strftime(${col}, '%Y-%m')`;
    case 'year':
      return `strftime(${col}, '%Y')`;
  }
}

function literal(column: ColumnName, v: Filter['values'][number]): string {
  switch (columnSpec(column).type) {
    case 'STRING':
      return duckdbString(v.text);
    case 'DATE':
      return `DATE ${duckdbString(v.text)}`;
    case 'NUMERIC':
      return `CAST(${formatCents(v.num)} AS DECIMAL(12, 2))`;
    case 'INT64':
      return `CAST(${v.text} AS BIGINT)`;
  }
}

export function duckdbFilterSql(f: Filter): string {
  const col = duckdbIdent(f.column);
  if (f.values.length > 1) {
    const list = f.values.map((v) => literal(f.column, v)).join(', ');
    return `${col} ${f.op === '=' ? 'IN' : 'NOT IN'} (${list})`;
  }
  return `${col} ${f.op === '!=' ? '<>' : f.op} ${literal(f.column, f.values[0])}`;
}

/** One SELECT returning k0…kn, n (count), s (sum) and, when asked for, lo (min), hi (max) per group. */
export function duckdbQuerySql(q: AggregateQuery, from: string): string {
  const cols = [...q.by.map((k, i) => `${duckdbKeyExpr(k)} AS k${i}`), 'COUNT(*) AS n', 'SUM(sale_amount) AS s'];
  if (needsMinMax(q)) cols.push('MIN(sale_amount) AS lo', 'MAX(sale_amount) AS hi');
  const where = q.where.length > 0 ? `\nWHERE ${q.where.map(duckdbFilterSql).join('\n  AND ')}` : '';
  return `SELECT ${cols.join(', ')}\nFROM ${from}${where}\nGROUP BY ${q.by.map((_, i) => i + 1).join(', ')}`;
}

export interface GroupingSetsSql {
  sql: string;
  /** Number of distinct key columns k0…k(n-1) in the SELECT. */
  keyCount: number;
  /** Per query: which k columns are its keys, in its --by order. */
  keyColumns: number[][];
  /** Per query: the GROUPING(k0…) bitmask of its rows (bit = 1: column not grouped; k0 is the highest bit). */
  masks: number[];
}

/**
 * Several queries with the same filter in ONE scan: `GROUP BY GROUPING SETS`,
 * with GROUPING(...) telling which query a result row belongs to. (The two
 * standard reports read the files once instead of twice.)
 */
export function duckdbGroupingSetsSql(queries: readonly AggregateQuery[], from: string): GroupingSetsSql {
  const exprs: string[] = [];
  const keyColumns = queries.map((q) =>
    q.by.map((k) => {
      const e = duckdbKeyExpr(k);
      let i = exprs.indexOf(e);
      if (i < 0) i = exprs.push(e) - 1;
      return i;
    }),
  );
  const masks = keyColumns.map((cols) =>
    exprs.reduce((mask, _, i) => (cols.includes(i) ? mask : mask | (1 << (exprs.length - 1 - i))), 0),
  );
  const cols = [
    ...exprs.map((e, i) => `${e} AS k${i}`),
    `GROUPING(${exprs.join(', ')}) AS gid`,
    'COUNT(*) AS n',
    'SUM(sale_amount) AS s',
  ];
  if (queries.some(needsMinMax)) cols.push('MIN(sale_amount) AS lo', 'MAX(sale_amount) AS hi');
  const where = queries[0].where;
  const whereSql = where.length > 0 ? `\nWHERE ${where.map(duckdbFilterSql).join('\n  AND ')}` : '';
  const sets = keyColumns.map((kc) => `(${kc.map((i) => exprs[i]).join(', ')})`).join(', ');
  return {
    sql: `SELECT ${cols.join(', ')}\nFROM ${from}${whereSql}\nGROUP BY GROUPING SETS (${sets})`,
    keyCount: exprs.length,
    keyColumns,
    masks,
  };
}
