/**
 * The "live" panel: per-minute stream totals from the streaming pipeline's
 * gold_sales_per_minute table. Its columns are named here, in one place; an
 * empty table (nothing streamed yet), or a missing table or column (a warehouse
 * made by an older version), is reported as such, never as a broken page.
 */
import { errorMessageForPage } from './panel-errors.ts';
import { missingTableOf } from '../errors.ts';
import type { Cell, Params, Row, Warehouse } from '../warehouse.ts';
import type { ReportFilters } from './filters.ts';

export const LIVE_TABLE = {
  name: 'gold_sales_per_minute',
  windowStart: 'window_start',
  region: 'sales_region',
  transactions: 'transactions',
  total: 'total_sales',
  /** When the stream last recomputed a window: how fresh the panel is. */
  updatedAt: 'updated_at',
} as const;

/** Windows shown: the latest hour for five regions. */
export const LIVE_ROWS = 300;

export interface LivePanel {
  state: 'ok' | 'empty' | 'missing' | 'error';
  message: string;
  rows: { window_start: Cell; sales_region: Cell; transactions: Cell; total_sales: Cell }[];
  newestWindow: Cell;
  /** When the stream last recomputed one of the windows shown. */
  lastUpdated: Cell;
}

export async function readLivePanel(w: Warehouse, filters: ReportFilters): Promise<LivePanel> {
  const t = LIVE_TABLE;
  const params: Params = filters.region ? { filter_region: filters.region } : {};
  const sql = `SELECT * FROM ${w.ref(t.name)}${filters.region ? `\nWHERE ${t.region} = @filter_region` : ''}
ORDER BY ${t.windowStart} DESC
LIMIT ${LIVE_ROWS}`;
  const none = { rows: [], newestWindow: null, lastUpdated: null };
  let result: { fields: { name: string }[]; rows: Row[] };
  try {
    result = await w.query(sql, { params });
  } catch (err) {
    if (missingTableOf(err) === t.name) {
      return {
        state: 'missing',
        message: `No live data: ${t.name} does not exist in ${w.target} (salesflow pipeline stream creates it).`,
        ...none,
      };
    }
    return { state: 'error', message: `Live data unavailable: ${errorMessageForPage(err, w.target)}`, ...none };
  }
  const names = new Set(result.fields.map((f) => f.name));
  const lacking = [t.windowStart, t.region, t.transactions, t.total].filter((c) => !names.has(c));
  if (lacking.length > 0) {
    return { state: 'error', message: `${t.name} lacks the column(s) ${lacking.join(', ')}.`, ...none };
  }
  const rows = result.rows.map((r) => ({
    window_start: r[t.windowStart],
    sales_region: r[t.region],
    transactions: r[t.transactions],
    total_sales: r[t.total],
  }));
  if (rows.length === 0) {
    return {
      state: 'empty',
      message: `No live data yet: nothing has been streamed into ${t.name} (salesflow pipeline stream).`,
      ...none,
    };
  }
  const newest = (values: Cell[]) =>
    values.reduce<Cell>((a, b) => (b !== null && (a === null || String(b) > String(a)) ? b : a), null);
  return {
    state: 'ok',
    message: `${rows.length} per-minute windows from ${t.name}.`,
    rows,
    newestWindow: newest(rows.map((r) => r.window_start)),
    lastUpdated: names.has(t.updatedAt) ? newest(result.rows.map((r) => r[t.updatedAt])) : null,
  };
}
