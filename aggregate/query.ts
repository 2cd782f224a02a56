/**
 * The query model every engine answers: group keys (--by), metrics on
 * sale_amount (--metrics), filters (--where), ordering and --top. Parsed and
 * validated once here, so engines only translate, never re-interpret, flags.
 */
import { UsageError } from '../shared/errors.ts';
import { parseCents } from '../shared/money.ts';
import { type ColumnName, columnSpec, type LogicalType, resolveColumn } from '../shared/schema/columns.ts';
import { INT64_MAX, parseTransactionDate } from '../shared/schema/validate.ts';

export const METRICS = ['sum', 'avg', 'count', 'min', 'max'] as const;
export type Metric = (typeof METRICS)[number];

/** Date columns can be grouped by calendar unit: `date:month`. Week = ISO week, labelled by its Monday. */
export const DATE_PARTS = ['day', 'week', 'month', 'year'] as const;
export type DatePart = (typeof DATE_PARTS)[number];

export interface GroupKey {
  column: ColumnName;
  /** Only for transaction_date; grouping by the raw date is `day`. */
  datePart?: DatePart;
  /** Output column name: the column name, or the date part (`month`). */
  label: string;
}

export const FILTER_OPS = ['!=', '>=', '<=', '=', '>', '<'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

/** A typed literal: strings as given, dates as epoch days, amounts as cents, ids as numbers. */
export interface FilterValue {
  /** As given; for INT64 the canonical digits (exact, whatever the size). */
  text: string;
  /** Dates, amounts; for INT64 only approximate past 2^53: compare `int` instead. */
  num: number;
  /** INT64 values, exactly. */
  int?: bigint;
}

export interface Filter {
  column: ColumnName;
  op: FilterOp;
  /** Several values (`region=North|South`) only with `=` / `!=` (IN / NOT IN). */
  values: FilterValue[];
}

export type SortOrder = 'key' | 'desc' | 'asc';

export interface AggregateQuery {
  title: string;
  by: GroupKey[];
  metrics: Metric[];
  where: Filter[];
  /** `key`: by group key ascending; `desc`/`asc`: by the first metric. */
  sort: SortOrder;
  top?: number;
}

/** `category`, `region,date:month`, `customer` … → group keys. */
export function parseBy(spec: string | readonly string[]): GroupKey[] {
  const parts = (typeof spec === 'string' ? [spec] : spec)
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const keys: GroupKey[] = [];
  for (const part of parts) {
    const [name, unit, ...rest] = part.split(':');
    const column = resolveColumn(name, '--by column');
    let key: GroupKey = { column, label: column };
    if (unit !== undefined || rest.length > 0) {
      if (columnSpec(column).type !== 'DATE' || rest.length > 0) {
        throw new UsageError(`--by "${part}": only the date column takes a unit (date:${DATE_PARTS.join('|')})`, {
          field: part,
        });
      }
      if (!(DATE_PARTS as readonly string[]).includes(unit)) {
        throw new UsageError(`--by "${part}": unknown date unit "${unit}"; valid: ${DATE_PARTS.join(', ')}`, {
          field: part,
        });
      }
      const datePart = unit as DatePart;
      key = datePart === 'day' ? { column, label: column } : { column, datePart, label: datePart };
    }
    if (keys.some((k) => k.label === key.label)) throw new UsageError(`--by "${part}" given twice`, { field: part });
    keys.push(key);
  }
  if (keys.length === 0) throw new UsageError('--by needs at least one column', { field: 'by' });
  return keys;
}

export function parseMetrics(spec: string | readonly string[]): Metric[] {
  const parts = (typeof spec === 'string' ? [spec] : spec)
    .flatMap((s) => s.split(','))
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
  const out: Metric[] = [];
  for (const p of parts) {
    const m = p === 'mean' || p === 'average' ? 'avg' : p === 'total' ? 'sum' : p;
    if (!(METRICS as readonly string[]).includes(m)) {
      throw new UsageError(`unknown metric "${p}"; valid: ${METRICS.join(', ')}`, { field: p });
    }
    if (!out.includes(m as Metric)) out.push(m as Metric);
  }
  if (out.length === 0) throw new UsageError('--metrics needs at least one metric', { field: 'metrics' });
  return out;
}

/** `region=North`, `region!=North|South`, `date>=2024-01-01`, `amount>100` → a typed filter. */
export function parseWhere(expr: string): Filter {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(!=|>=|<=|=|>|<)\s*(.*?)\s*$/.exec(expr);
  if (m === null) {
    throw new UsageError(`--where "${expr}" is not COLUMN OP VALUE (OP one of = != > >= < <=), e.g. region=North`, {
      field: expr,
    });
  }
  const column = resolveColumn(m[1], '--where column');
  const op = m[2] as FilterOp;
  const rawValues = m[3].split('|').map((v) => v.trim());
  if (rawValues.some((v) => v.length === 0))
    throw new UsageError(`--where "${expr}" has an empty value`, { field: expr });
  if (rawValues.length > 1 && op !== '=' && op !== '!=') {
    throw new UsageError(`--where "${expr}": several values (a|b) only work with = and !=`, { field: expr });
  }
  const spec = columnSpec(column);
  const values = rawValues.map((text) => typedValue(expr, spec.type, text));
  return { column, op, values };
}

function typedValue(expr: string, type: LogicalType, text: string): FilterValue {
  switch (type) {
    case 'DATE': {
      // The data's own verdict: a date no valid row can hold is a mistake in the filter, not a filter.
      const day = parseTransactionDate(text);
      if (typeof day === 'string') throw new UsageError(`--where "${expr}": "${text}" ${day}`, { field: expr });
      return { text, num: day };
    }
    case 'NUMERIC': {
      const cents = parseCents(text);
      if (Number.isNaN(cents))
        throw new UsageError(`--where "${expr}": "${text}" is not an amount like 12.34`, { field: expr });
      return { text, num: cents };
    }
    case 'INT64': {
      const int = /^-?\d+$/.test(text) ? BigInt(text) : undefined;
      if (int === undefined || int > INT64_MAX || int < -INT64_MAX - 1n) {
        throw new UsageError(`--where "${expr}": "${text}" is not a whole number within INT64`, { field: expr });
      }
      return { text: String(int), num: Number(int), int };
    }
    case 'STRING':
      return { text, num: Number.NaN };
  }
}

/** An identity for a list of filters (queries with equal filters share a scan). */
export function filtersKey(filters: readonly Filter[]): string {
  return JSON.stringify(filters.map((f) => [f.column, f.op, f.values.map((v) => v.text)]));
}

export function parseWheres(exprs: readonly string[] | undefined): Filter[] {
  return (exprs ?? []).map(parseWhere);
}

export function parseTop(top: number | undefined): number | undefined {
  if (top === undefined) return undefined;
  if (!Number.isSafeInteger(top) || top < 1)
    throw new UsageError(`--top must be a whole number ≥ 1, got ${top}`, { field: 'top' });
  return top;
}

/**
 * The two reports of the original job: total sale_amount per category (largest
 * first) and average sale_amount per region (by region name).
 */
export function standardReports(where: Filter[] = [], top?: number): AggregateQuery[] {
  return [
    {
      title: 'Total sale_amount per product_category',
      by: parseBy('category'),
      metrics: ['sum'],
      where,
      sort: 'desc',
      top,
    },
    {
      title: 'Average sale_amount per sales_region',
      by: parseBy('region'),
      metrics: ['avg'],
      where,
      sort: top === undefined ? 'key' : 'desc',
      top,
    },
  ];
}

export interface QueryFlags {
  by?: string | readonly string[];
  metrics?: string | readonly string[];
  where?: readonly string[];
  top?: number;
  sort?: SortOrder;
}

/** Flags → queries: the standard reports without --by, else one query. */
export function buildQueries(flags: QueryFlags): AggregateQuery[] {
  const where = parseWheres(flags.where);
  const top = parseTop(flags.top);
  const noBy = flags.by === undefined || (Array.isArray(flags.by) && flags.by.length === 0);
  if (noBy) {
    if (flags.metrics !== undefined)
      throw new UsageError('--metrics needs --by (which groups to compute them for)', { field: 'metrics' });
    return standardReports(where, top);
  }
  const by = parseBy(flags.by!);
  const metrics = parseMetrics(flags.metrics ?? 'sum,avg,count');
  const sort = flags.sort ?? (top === undefined ? 'key' : 'desc');
  const title = `${metrics.join(', ')} of sale_amount by ${by.map((k) => k.label).join(', ')}`;
  return [{ title, by, metrics, where, sort, top }];
}

/** Columns a query reads (keys, filters, and sale_amount for metrics). */
export function queryColumns(q: AggregateQuery): ColumnName[] {
  const cols = new Set<ColumnName>(['sale_amount']);
  for (const k of q.by) cols.add(k.column);
  for (const f of q.where) cols.add(f.column);
  return [...cols];
}
