/** The generator library: `generateSales` for whole files, `generateBatch` for one batch in memory. */
export * from './batch.ts';
export * from './dimensions.ts';
export * from './generate.ts';
export * from './options.ts';
export { BLOCK_ROWS } from './plan.ts';
export { transactionId } from './transaction-id.ts';
