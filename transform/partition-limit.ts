/**
 * How many partition folders a to-parquet run may make. Columns with a value
 * per row are refused up front by the schema (ColumnSpec.highCardinality); this
 * caps the rest, whose folder count depends on the data (dates, combinations).
 */
import { UsageError } from '../shared/errors.ts';

/**
 * Folders allowed unless --max-partitions says otherwise: two years of dates by
 * region is 3,650; far more means a file per few rows, and buffers per folder in
 * every worker.
 */
export const DEFAULT_MAX_PARTITIONS = 10_000;

/** The refusal, naming the columns and an example folder. */
export function tooManyPartitions(max: number, partitionBy: readonly string[], example: string): UsageError {
  return new UsageError(
    `more than ${max} partitions (e.g. ${example}): -p ${partitionBy.join(',')} makes a folder per distinct ` +
      'value; partition by fewer or coarser columns (region, category), or raise --max-partitions',
    { field: 'partition', step: 'partition' },
  );
}
