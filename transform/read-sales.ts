/**
 * readSalesFile: stream a sales CSV/NDJSON file (optionally gzip) as batches of
 * validated records plus the rows rejected on the way, with exactly the
 * header check and row verdicts of to-parquet (same parser, same validator).
 * For pipelines that want records in the main thread rather than Parquet.
 * `readSalesChunks` is the same reader with the per-chunk output left to the
 * caller (e.g. staging text built straight from the parsed values, without a
 * record object per row).
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { formatEpochDay } from '../shared/dates.ts';
import { skipByteOrderMark } from '../shared/utf8.ts';
import { DEFAULT_DOMAINS, type SalesDomains, type SalesRecord } from '../shared/schema/index.ts';
import { consumeHeader, emptyFileError } from './header.ts';
import { formatOf, gunzipped, isGzip } from './inputs.ts';
import { lineChunks } from './line-chunks.ts';
import { ChunkParser, type InputFormat, type RowSink } from './row-parser.ts';

export interface RejectedRow {
  file: string;
  /** 1-based physical line number in the (decompressed) file. */
  line: number;
  raw: string;
  reason: string;
}

export interface SalesBatch {
  records: SalesRecord[];
  rejects: RejectedRow[];
}

export interface ReadSalesOptions {
  format?: InputFormat;
  gzip?: boolean;
  domains?: SalesDomains;
  /** Name used in rejects and errors (default: the path, or "<stream>"). */
  file?: string;
  /** Approximate bytes of input per batch (default 1 MiB). */
  batchBytes?: number;
}

/**
 * Builds one chunk's output: called with the file line number (1-based) of the
 * chunk's first line, it returns the parser's sink for that chunk (rows and
 * rejects get chunk-relative 0-based lines) and, after parsing, the result
 * (undefined: nothing to yield).
 */
export type ChunkCollector<B> = (firstLine: number) => RowSink & { result(): B | undefined };

export function readSalesFile(
  source: string | Readable | AsyncIterable<Uint8Array>,
  opts: ReadSalesOptions = {},
): AsyncGenerator<SalesBatch> {
  const file = fileName(source, opts);
  const domains = opts.domains ?? DEFAULT_DOMAINS;
  const latin1 = new TextDecoder('latin1');
  return readSalesChunks<SalesBatch>(source, opts, (firstLine) => {
    const batch: SalesBatch = { records: [], rejects: [] };
    return {
      row(b, s, e, customer, day, cents, category, region) {
        batch.records.push({
          transaction_id: latin1.decode(b.subarray(s, e)),
          customer_id: customer,
          transaction_date: formatEpochDay(day),
          sale_amount: cents,
          product_category: domains.categories[category],
          sales_region: domains.regions[region],
        });
      },
      reject(line, raw, reason) {
        batch.rejects.push({ file, line: firstLine + line, raw, reason });
      },
      result: () => (batch.records.length > 0 || batch.rejects.length > 0 ? batch : undefined),
    };
  });
}

function fileName(source: string | Readable | AsyncIterable<Uint8Array>, opts: ReadSalesOptions): string {
  return opts.file ?? (typeof source === 'string' ? source : '<stream>');
}

export async function* readSalesChunks<B>(
  source: string | Readable | AsyncIterable<Uint8Array>,
  opts: ReadSalesOptions,
  collect: ChunkCollector<B>,
): AsyncGenerator<B> {
  const file = fileName(source, opts);
  const format = formatOf(file, opts.format);
  let bytes: AsyncIterable<Uint8Array> = typeof source === 'string' ? createReadStream(source) : source;
  if (opts.gzip ?? isGzip(file)) bytes = gunzipped(bytes);
  const parser = new ChunkParser(opts.domains ?? DEFAULT_DOMAINS, format);
  let lineBase = 0;
  let first = true;
  for await (const chunk of lineChunks(bytes, { chunkBytes: opts.batchBytes ?? 1024 * 1024, file })) {
    let start = 0;
    if (first && format === 'csv') {
      start = consumeHeader(chunk, file);
      lineBase = 1;
    } else if (first) {
      start = skipByteOrderMark(chunk);
    }
    first = false;
    const sink = collect(lineBase + 1);
    const stats = parser.parse(chunk, sink, start);
    lineBase += stats.lines;
    const out = sink.result();
    if (out !== undefined) yield out;
  }
  if (first && format === 'csv') throw emptyFileError(file);
}

/** The first `max` rows the reader rejects (file, line, reason), stopping there. */
export async function firstRejects(source: string, max: number, opts: ReadSalesOptions = {}): Promise<RejectedRow[]> {
  const out: RejectedRow[] = [];
  for await (const batch of readSalesFile(source, opts)) {
    out.push(...batch.rejects);
    if (out.length >= max) break;
  }
  return out.slice(0, max);
}
