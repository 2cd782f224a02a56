/**
 * A RowSink that routes rows to per-partition column buffers and writes each
 * buffer out as a Parquet file (rolling: one more file per flush) when it has
 * `rowsPerFile` rows or when all buffers together pass the memory budget. One
 * lives in each worker, so memory stays bounded whatever the partition count.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatEpochDay } from '../shared/dates.ts';
import type { ColumnName, Int64Value, SalesDomains } from '../shared/schema/index.ts';
import { ColumnBuffers } from './column-buffers.ts';
import { partitionPath } from '../shared/hive-path.ts';
import type { CompressionName } from './compression.ts';
import { encodeParquet } from './parquet-encode.ts';
import { tooManyPartitions } from './partition-limit.ts';
import type { RowSink } from './row-parser.ts';

export interface WrittenFile {
  /** Path relative to the output folder, e.g. `sales_region=North/.part-w0-00001.parquet`. */
  path: string;
  partition: Record<string, string>;
  rows: number;
  bytes: number;
}

export interface PartitionWriterOptions {
  outDir: string;
  partitionBy: readonly ColumnName[];
  domains: SalesDomains;
  compression: CompressionName;
  rowGroupSize: number;
  rowsPerFile: number;
  /** Flush the biggest buffer while all buffers together hold more than this. */
  memoryBudgetBytes: number;
  /** Distinguishes this writer's file names from other workers'. */
  writerId: number;
  /** Distinct partitions allowed (this writer alone past it means the whole run is). */
  maxPartitions: number;
}

interface Partition {
  values: string[];
  dir: string;
  buffers: ColumnBuffers;
}

export class PartitionWriter implements RowSink {
  readonly files: WrittenFile[] = [];
  private readonly opts: PartitionWriterOptions;
  private readonly partitions = new Map<string | number, Partition>();
  private fileSeq = 0;
  /** All partition columns are categorical: the key is a number built from the indexes. */
  /** Called after each file is written (the worker uses it to collect garbage early). */
  afterFlush?: () => void;
  private readonly numericKeys: boolean;
  private readonly byIndex: Partition[] = [];
  private readonly madeDirs = new Set<string>();
  private readonly latin1 = new TextDecoder('latin1');

  constructor(opts: PartitionWriterOptions) {
    this.opts = opts;
    this.numericKeys = opts.partitionBy.every((c) => c === 'sales_region' || c === 'product_category');
  }

  row(
    bytes: Uint8Array,
    idStart: number,
    idEnd: number,
    customer: Int64Value,
    day: number,
    cents: number,
    category: number,
    region: number,
  ): void {
    if (this.numericKeys) {
      // Categorical partitions: a dense index, looked up in an array (the per-row hot path).
      const slot = this.numericKey(category, region);
      const hit = this.byIndex[slot];
      if (hit !== undefined) {
        hit.buffers.append(bytes, idStart, idEnd, customer, day, cents, category, region);
        return;
      }
    }
    const key = this.numericKeys
      ? this.numericKey(category, region)
      : this.opts.partitionBy
          .map((c) => this.valueOf(c, bytes, idStart, idEnd, customer, day, category, region))
          .join('\u0000');
    let part = this.partitions.get(key);
    if (part === undefined) {
      const values = this.opts.partitionBy.map((c) =>
        this.valueOf(c, bytes, idStart, idEnd, customer, day, category, region),
      );
      const dir = partitionPath(this.opts.partitionBy, values);
      // Refused before its buffers exist: a folder per row would exhaust memory long before the end.
      if (this.partitions.size >= this.opts.maxPartitions) {
        throw tooManyPartitions(this.opts.maxPartitions, this.opts.partitionBy, dir);
      }
      part = { values, dir, buffers: new ColumnBuffers() };
      this.newPartitions.push(dir);
      this.partitions.set(key, part);
      if (typeof key === 'number') this.byIndex[key] = part;
    }
    part.buffers.append(bytes, idStart, idEnd, customer, day, cents, category, region);
  }

  /** Partition folders first seen since the caller last emptied this list (sent per chunk). */
  newPartitions: string[] = [];

  /** Rejected rows since the caller last emptied this list (the worker sends them per chunk). */
  rejects: { line: number; raw: string; reason: string }[] = [];

  reject(line: number, raw: string, reason: string): void {
    this.rejects.push({ line, raw, reason });
  }

  /** Write out buffers that are full, then the biggest ones until under the memory budget. */
  flushIfNeeded(): void {
    let total = 0;
    for (const p of this.partitions.values()) {
      if (p.buffers.rows >= this.opts.rowsPerFile) this.flush(p);
      total += p.buffers.usedBytes;
    }
    while (total > this.opts.memoryBudgetBytes) {
      let biggest: Partition | undefined;
      for (const p of this.partitions.values()) {
        if (p.buffers.rows > 0 && (biggest === undefined || p.buffers.usedBytes > biggest.buffers.usedBytes))
          biggest = p;
      }
      if (biggest === undefined) break;
      total -= biggest.buffers.usedBytes;
      this.flush(biggest);
    }
  }

  /** Write every non-empty buffer. */
  flushAll(): void {
    for (const p of this.partitions.values()) if (p.buffers.rows > 0) this.flush(p);
  }

  private flush(p: Partition): void {
    const rows = p.buffers.rows;
    const table = p.buffers.toArrowTable(this.opts.domains, this.opts.partitionBy);
    const bytes = encodeParquet(table, this.opts);
    const dir = join(this.opts.outDir, p.dir);
    if (!this.madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    // Dot-prefixed while the run is going: the final names are given when all workers are done.
    const rel = `${p.dir}/.part-w${this.opts.writerId}-${String(this.fileSeq++).padStart(5, '0')}.parquet`;
    writeFileSync(join(this.opts.outDir, rel), bytes);
    this.files.push({
      path: rel,
      partition: Object.fromEntries(this.opts.partitionBy.map((c, i) => [c, p.values[i]])),
      rows,
      bytes: bytes.length,
    });
    // Refill the same arrays (no garbage, no allocator churn) while this partition's share
    // of the budget allows (capacity is at most 2x what was used, hence the 2.5); with many
    // partitions, start small again instead, so retained capacity stays ≤ 2.5x the budget.
    if (p.buffers.byteSize <= (2.5 * this.opts.memoryBudgetBytes) / this.partitions.size) p.buffers.reset();
    else p.buffers = new ColumnBuffers();
    this.afterFlush?.();
  }

  private numericKey(category: number, region: number): number {
    const by = this.opts.partitionBy;
    if (by.length === 1) return by[0] === 'sales_region' ? region : category;
    return by[0] === 'sales_region'
      ? region * this.opts.domains.categories.length + category
      : category * this.opts.domains.regions.length + region;
  }

  private valueOf(
    col: ColumnName,
    bytes: Uint8Array,
    idStart: number,
    idEnd: number,
    customer: Int64Value,
    day: number,
    category: number,
    region: number,
  ): string {
    switch (col) {
      case 'transaction_id':
        return this.latin1.decode(bytes.subarray(idStart, idEnd));
      case 'customer_id':
        return String(customer);
      case 'transaction_date':
        return formatEpochDay(day);
      case 'sale_amount':
        throw new Error('partitioning by sale_amount is refused earlier');
      case 'product_category':
        return this.opts.domains.categories[category];
      case 'sales_region':
        return this.opts.domains.regions[region];
    }
  }
}
