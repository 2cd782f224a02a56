export * from './errors.ts';
export * from './merge.ts';
export * from './open.ts';
export * from './tables.ts';
export * from './values.ts';
export * from './views.ts';
export * from './warehouse.ts';
export { DuckDBWarehouse, DEFAULT_DUCKDB_PATH } from './duckdb-warehouse.ts';
export { BigQueryWarehouse } from './bigquery-warehouse.ts';
