/**
 * How the rows are cut up. The user-visible unit is the batch (--batch-size
 * rows). Each batch is cut into fixed blocks of BLOCK_ROWS rows, the unit of
 * work handed to a worker; each block has its own random stream derived from
 * (seed, batch index, block index). So the bytes depend on the seed, the row
 * count, the batch size and the options — never on the number of workers or on
 * which worker made which block.
 */

/** Rows per random stream and per work unit. Part of the output format: changing it changes the data. */
export const BLOCK_ROWS = 32_768;

export interface WorkUnit {
  /** Position in the output, 0-based. */
  index: number;
  batch: number;
  /** Block within the batch. */
  block: number;
  /** Global row number of the first row (for transaction ids). */
  firstRow: number;
  rows: number;
}

/** The work units in output order, lazily (a trillion rows need not fit a list). */
export function* planUnits(rows: number, batchSize: number): Generator<WorkUnit> {
  let index = 0;
  for (let batch = 0, batchStart = 0; batchStart < rows; batch++, batchStart += batchSize) {
    const batchRows = Math.min(batchSize, rows - batchStart);
    for (let block = 0, off = 0; off < batchRows; block++, off += BLOCK_ROWS) {
      yield { index: index++, batch, block, firstRow: batchStart + off, rows: Math.min(BLOCK_ROWS, batchRows - off) };
    }
  }
}

export function batchCount(rows: number, batchSize: number): number {
  return Math.ceil(rows / batchSize);
}
