/** The to-parquet library: convert files to hive-partitioned Parquet, or read validated sales records. */
export * from './convert.ts';
export * from '../shared/hive-path.ts';
export type * from './manifest.ts';
export { COMPRESSIONS, type CompressionName } from './compression.ts';
export { type ReadSalesOptions, type RejectedRow, readSalesFile, type SalesBatch } from './read-sales.ts';
export { ChunkParser, type InputFormat, type RowSink, splitCsvLine } from './row-parser.ts';
