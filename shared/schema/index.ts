// The Arrow schema lives in './arrow.ts' and is imported from there directly:
// apache-arrow takes ~0.4 s to load, and most users of the schema (the CLI,
// the validator, the warehouse) never need it.
export * from './bigquery.ts';
export * from './columns.ts';
export * from './domains.ts';
export * from './duckdb.ts';
export * from './json-record.ts';
export type * from './record.ts';
export * from './terraform.ts';
export * from './validate.ts';
export * from './dimensions.ts';
