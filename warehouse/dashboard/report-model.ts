/**
 * The report model: everything the page shows, as plain JSON (rows in the
 * warehouse's normalized cell form, money as exact decimal strings). Built from
 * one open warehouse with the filters applied; a panel whose query fails
 * carries the reason instead of rows, and a warehouse that is missing, empty or
 * unreachable gives a model with a notice saying so — building a model never
 * throws for the warehouse's state.
 */
import type { OpenWarehouseOptions } from '../open.ts';
import type { Row, Warehouse } from '../warehouse.ts';
import { describeFilters, type ReportFilters } from './filters.ts';
import { type LivePanel, readLivePanel } from './live-panel.ts';
import { openWarehouseForReading, warehouseTarget } from './open-for-reading.ts';
import { errorMessageForPage } from './panel-errors.ts';
import { dashboardQueries, PIPELINE_PANELS, SALES_PANELS } from './queries.ts';
import { missingTableOf, NotADuckDBDatabaseError, WarehouseNotFoundError } from '../errors.ts';
import { describeError, SalesflowError } from '../../shared/errors.ts';

export interface Panel {
  rows: Row[];
  /** Why the panel has no rows, when its query failed. */
  error?: string;
}

export type PanelName = (typeof SALES_PANELS)[number] | (typeof PIPELINE_PANELS)[number];

export interface Notice {
  level: 'error' | 'warning';
  message: string;
}

export interface ReportModel {
  /** False when the warehouse could not be read at all (missing, busy, unreachable): the panels hold only the reason. */
  available: boolean;
  generatedAt: string;
  warehouse: string;
  filters: ReportFilters;
  /** The filters in words ("all dates, all regions"). */
  filterText: string;
  /** Regions present in silver (the region filter's choices). */
  regions: string[];
  /** First and last sale date in silver (the date filters' bounds). */
  dataRange: { first: string | null; last: string | null };
  /** The whole page's state when it is not simply "here are your numbers". */
  notice?: Notice;
  panels: Record<PanelName, Panel>;
  live: LivePanel;
}

const noRows = (error: string): Panel => ({ rows: [], error });

function emptyPanels(error: string): Record<PanelName, Panel> {
  return Object.fromEntries([...SALES_PANELS, ...PIPELINE_PANELS].map((p) => [p, noRows(error)])) as Record<
    PanelName,
    Panel
  >;
}

function skeleton(target: string, filters: ReportFilters, notice: Notice): ReportModel {
  return {
    available: false,
    generatedAt: new Date().toISOString(),
    warehouse: target,
    filters,
    filterText: describeFilters(filters),
    regions: [],
    dataRange: { first: null, last: null },
    notice,
    panels: emptyPanels(notice.message),
    live: {
      state: 'error',
      message: notice.message,
      rows: [],
      newestWindow: null,
      lastUpdated: null,
    },
  };
}

/** The model from an open warehouse. */
export async function buildReportModel(w: Warehouse, filters: ReportFilters = {}): Promise<ReportModel> {
  const queries = dashboardQueries(w.dialect, (n) => w.ref(n), filters);
  let coverage: Row[];
  try {
    coverage = (await w.query(queries.coverage.sql)).rows;
  } catch (err) {
    const missing = missingTableOf(err);
    const message = missing
      ? `The warehouse ${w.target} has no ${missing} table yet: run salesflow pipeline batch -s DIR (or salesflow demo) to create and load it.`
      : err instanceof SalesflowError && err.transient
        ? `Cannot reach the warehouse ${w.target}: ${describeError(err)}. The page tries again at the next refresh.`
        : `Cannot read the warehouse ${w.target}: ${describeError(err)}`;
    if (!missing) return skeleton(w.target, filters, { level: 'error', message });
    coverage = [];
    return { ...(await panelsOf(w, filters, queries, coverage)), notice: { level: 'error', message } };
  }
  const model = await panelsOf(w, filters, queries, coverage);
  if (coverage.length === 0) {
    model.notice = {
      level: 'warning',
      message: `The warehouse ${w.target} has no sales yet: load some with salesflow pipeline batch -s DIR (or run salesflow demo).`,
    };
  } else if (Number(model.panels.kpis.rows[0]?.transactions ?? 0) === 0 && !model.panels.kpis.error) {
    model.notice = {
      level: 'warning',
      message: `No sales match the filters (${model.filterText}): ${whatThereIs(coverage, filters)}.`,
    };
  }
  return model;
}

/** What the warehouse holds, for filters that select nothing: a typo'd region or a range beside the data says so. */
function whatThereIs(coverage: Row[], filters: ReportFilters): string {
  const regions = coverage.map((r) => String(r.sales_region));
  const { region } = filters;
  if (region !== undefined && !regions.includes(region)) {
    return `the warehouse has no sales in ${region}; its regions are ${regions.join(', ')}`;
  }
  const rows = region === undefined ? coverage : coverage.filter((r) => r.sales_region === region);
  const { first, last } = dateRangeOf(rows);
  return `the sales${region === undefined ? '' : ` in ${region}`} run from ${first} to ${last}`;
}

/** First and last sale date of coverage rows. */
function dateRangeOf(coverage: Row[]): { first: string | null; last: string | null } {
  const dates = coverage
    .flatMap((r) => [r.first_date, r.last_date])
    .filter((d): d is string => typeof d === 'string')
    .sort();
  return { first: dates[0] ?? null, last: dates.at(-1) ?? null };
}

async function panelsOf(
  w: Warehouse,
  filters: ReportFilters,
  queries: ReturnType<typeof dashboardQueries>,
  coverage: Row[],
): Promise<ReportModel> {
  const names = [...SALES_PANELS, ...PIPELINE_PANELS];
  const [live, ...results] = await Promise.all([
    readLivePanel(w, filters),
    ...names.map(async (name): Promise<Panel> => {
      try {
        return { rows: (await w.query(queries[name].sql, { params: queries[name].params })).rows };
      } catch (err) {
        return noRows(errorMessageForPage(err, w.target));
      }
    }),
  ]);
  return {
    available: true,
    generatedAt: new Date().toISOString(),
    warehouse: w.target,
    filters,
    filterText: describeFilters(filters),
    regions: coverage.map((r) => String(r.sales_region)),
    dataRange: dateRangeOf(coverage),
    panels: Object.fromEntries(names.map((n, i) => [n, results[i]])) as Record<PanelName, Panel>,
    live,
  };
}

export interface LoadReportOptions {
  /** `duckdb:PATH` or `bigquery:PROJECT.DATASET` (default: SALESFLOW_WAREHOUSE, else the local DuckDB file). */
  warehouse?: string;
  warehouseOptions?: OpenWarehouseOptions;
  filters?: ReportFilters;
  /**
   * Throw WarehouseNotFoundError / NotADuckDBDatabaseError (exit 2) for a warehouse that does not
   * exist or is not one, instead of a model with a notice: a report file of nothing is refused,
   * while the served page shows the notice and picks the warehouse up once
   * it exists.
   */
  refuseMissing?: boolean;
}

/** Open the warehouse for reading, build the model, close it; a warehouse that cannot be opened becomes a notice. */
export async function loadReportModel(opts: LoadReportOptions = {}): Promise<ReportModel> {
  const filters = opts.filters ?? {};
  const target = warehouseTarget(opts.warehouse, opts.warehouseOptions);
  let w: Warehouse;
  try {
    w = await openWarehouseForReading(opts.warehouse, opts.warehouseOptions);
  } catch (err) {
    if (opts.refuseMissing && (err instanceof WarehouseNotFoundError || err instanceof NotADuckDBDatabaseError)) {
      throw err;
    }
    const busy = err instanceof SalesflowError && err.transient;
    return skeleton(target, filters, {
      level: 'error',
      message: busy
        ? `The warehouse ${target} is busy (${describeError(err)}). The page tries again at the next refresh.`
        : describeError(err),
    });
  }
  try {
    return await buildReportModel(w, filters);
  } finally {
    await w.close();
  }
}
