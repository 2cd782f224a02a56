/** The aggregate library: `aggregate()` runs queries (built with `buildQueries` or by hand) on a lake or a table. */
export { type BigQueryTarget, ENGINES, type EngineName } from './engine.ts';
export type { GroupTotals, Report } from './groups.ts';
export { FORMATS, type OutputFormat, renderReports } from './output.ts';
export * from './query.ts';
export * from './run.ts';
