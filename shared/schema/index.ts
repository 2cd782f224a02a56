export * from './arrow.ts';
export * from './bigquery.ts';
export * from './columns.ts';
export * from './domains.ts';
export * from './duckdb.ts';
export type * from './record.ts';
export * from './terraform.ts';
export * from './validate.ts';
