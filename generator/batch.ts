/**
 * generateBatch: one whole batch as bytes, in process. For tests and for
 * callers who want rows in memory; the CLI streams through generateSales.
 */
import { BlockGenerator } from './block-generator.ts';
import { type GenOptions, resolveGenOptions } from './options.ts';
import { batchCount, planUnits } from './plan.ts';
import { UsageError } from '../shared/errors.ts';

/**
 * The rows of batch `batchIndex` (no header) exactly as `generateSales` with the
 * same options writes them. `options.rows` bounds the dataset (the last batch may
 * be short); it defaults to covering the requested batch.
 */
export function generateBatch(seed: number, batchIndex: number, options: GenOptions = {}): Buffer {
  const batchSize = options.batchSize ?? 1_000_000;
  const o = resolveGenOptions({ rows: (batchIndex + 1) * batchSize, ...options, seed, batchSize, workers: 0 });
  if (batchIndex < 0 || !Number.isInteger(batchIndex) || batchIndex * o.batchSize >= o.rows) {
    throw new UsageError(
      `batch ${batchIndex} does not exist: ${o.rows} rows make ${batchCount(o.rows, o.batchSize)} batches`,
      {
        field: 'batch',
      },
    );
  }
  const gen = new BlockGenerator(o);
  const parts: Buffer[] = [];
  for (const unit of planUnits(o.rows, o.batchSize)) {
    if (unit.batch < batchIndex) continue;
    if (unit.batch > batchIndex) break;
    const buf = Buffer.allocUnsafe(gen.bufferBytes(unit.rows));
    parts.push(buf.subarray(0, gen.render(unit, buf)));
  }
  return Buffer.concat(parts);
}
