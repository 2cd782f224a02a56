/**
 * convertToParquet: sales CSV/NDJSON files → a hive-partitioned Parquet folder,
 * validated and atomic.
 *
 * The main thread reads each file as a stream (hashing it for the manifest),
 * cuts it into ~4 MiB line-aligned chunks and transfers them to worker threads,
 * which parse, validate, buffer rows per partition and encode Parquet. Chunk
 * results come back out of order; they are put back in order here so reject
 * line numbers are exact. Everything is written into a temporary sibling of
 * OUTDIR, which is renamed into place only after `_manifest.json` and
 * `_SUCCESS` are written: a failed or killed run never leaves an OUTDIR.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { prepareAtomicOutput } from '../shared/atomic.ts';
import { stopOnInterrupt } from '../shared/cleanup.ts';
import { refuseOverlap } from '../shared/overlap.ts';
import { skipByteOrderMark } from '../shared/utf8.ts';
import { InputError, UsageError, writeFailure } from '../shared/errors.ts';
import {
  checkDomains,
  type ColumnName,
  duckdbType,
  columnSpec,
  loadDomains,
  resolveColumns,
  type SalesDomains,
  SALES_COLUMNS,
} from '../shared/schema/index.ts';
import { consumeHeader, emptyFileError } from './header.ts';
import { formatOf, gunzipped, isGzip, resolveInputs } from './inputs.ts';
import { BufferPool, fileChunks } from './file-chunks.ts';
import { DEFAULT_MAX_PARTITIONS, tooManyPartitions } from './partition-limit.ts';
import { DEFAULT_CHUNK_BYTES, lineChunks } from './line-chunks.ts';
import { type ManifestSource, type ParquetManifest, TO_PARQUET_OUTPUT } from './manifest.ts';
import type { CompressionName } from './compression.ts';
import type { InputFormat } from './row-parser.ts';
import type { RejectedRow } from './read-sales.ts';
import { type ChunkResult, WorkerPool } from './worker-pool.ts';

export interface ConvertOptions {
  /** A file, a folder of files, or a glob. */
  input: string;
  outDir: string;
  /** Partition columns (names or aliases, e.g. ["region"] or "region,category"). */
  partitionBy: string | readonly string[];
  force?: boolean;
  compression?: CompressionName;
  rowGroupSize?: number;
  /** Rows per Parquet file before rolling over to the next (per partition and worker). */
  rowsPerFile?: number;
  workers?: number;
  /** Rejected rows tolerated before the run fails (default 0). */
  maxErrors?: number;
  /** Default: from the file extension (.ndjson/.jsonl → ndjson, else csv). */
  format?: InputFormat;
  domains?: SalesDomains;
  chunkBytes?: number;
  /** Per-worker budget for buffered rows (bytes). */
  memoryBudgetBytes?: number;
  /** Distinct partition folders allowed before the run is refused (default DEFAULT_MAX_PARTITIONS). */
  maxPartitions?: number;
  onProgress?: (p: ConvertProgress) => void;
  /** Test hook: make every worker fail after this many chunks. */
  failAfterChunks?: number;
}

export interface ConvertProgress {
  bytesRead: number;
  totalBytes: number;
  rows: number;
  rejected: number;
}

export const DEFAULT_ROW_GROUP_SIZE = 131_072;
export const MAX_REPORTED_REJECTS = 20;
/** Buffered rows per worker before the biggest partition is written out (peak RSS ≈ 3–4× this per worker). */
export const DEFAULT_MEMORY_BUDGET = 20 * 1024 * 1024;
export const REJECTS_FILE = '_rejects/rejects.ndjson';

/** Convert; returns the manifest written to OUTDIR/_manifest.json. */
export async function convertToParquet(opts: ConvertOptions): Promise<ParquetManifest> {
  const partitionBy = resolveColumns(opts.partitionBy, 'partition column');
  if (partitionBy.length === 0) throw new UsageError('give at least one partition column with -p (e.g. -p region)');
  // Known from the schema: these columns would make a folder per row (or nearly).
  for (const c of partitionBy) {
    const why = columnSpec(c).highCardinality;
    if (why !== undefined) {
      throw new UsageError(`cannot partition by ${c} (${why}); pick region, category or date`, { field: c });
    }
  }
  const maxPartitions = positiveInt(opts.maxPartitions ?? DEFAULT_MAX_PARTITIONS, '--max-partitions');
  const rowGroupSize = positiveInt(opts.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE, 'row group size');
  const rowsPerFile = positiveInt(opts.rowsPerFile ?? rowGroupSize * 8, 'rows per file');
  const maxErrors = opts.maxErrors ?? 0;
  if (!Number.isInteger(maxErrors) || maxErrors < 0) throw new UsageError('--max-errors must be a whole number ≥ 0');
  const workers = positiveInt(opts.workers ?? Math.min(2, availableParallelism()), 'workers');
  const compression = opts.compression ?? 'zstd';
  const domains = opts.domains ? checkDomains(opts.domains) : loadDomains();
  const files = await resolveInputs(opts.input);
  const stats = files.map((f) => statSync(f));
  const sizes = stats.map((st) => st.size);
  const totalBytes = sizes.reduce((n, b) => n + b, 0);
  const format = opts.format ?? formatOf(files[0]);
  if (opts.format === undefined && files.some((f) => formatOf(f) !== format)) {
    throw new UsageError('inputs mix CSV and NDJSON files; convert them separately or pass --format');
  }

  // The INPUT as given (a folder or file; a glob names none) and every file it resolved to.
  const inputs = [...new Set([...(existsSync(opts.input) ? [opts.input] : []), ...files])];
  const domainsFile = opts.domains ? undefined : process.env.SALESFLOW_DOMAINS;
  refuseOverlap({
    outputs: [{ path: opts.outDir, role: 'output folder' }],
    inputs: [
      ...inputs.map((path) => ({ path, role: 'input' })),
      ...(domainsFile ? [{ path: domainsFile, role: 'SALESFLOW_DOMAINS file' }] : []),
    ],
  });
  const target = await prepareAtomicOutput(opts.outDir, {
    force: opts.force,
    what: 'output folder',
    kind: TO_PARQUET_OUTPUT,
  }).catch((err: unknown) => {
    throw writeFailure(err, opts.outDir);
  });
  const tmp = target.tmpPath;
  // The parent exists (prepareAtomicOutput made it): a fresh, unique name.
  await mkdir(tmp).catch((err: unknown) => {
    throw writeFailure(err, opts.outDir);
  });

  const chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  // Chunk buffers go to the workers and come back with their results.
  const chunkBuffers = new BufferPool(chunkBytes);
  // Per-chunk results arrive out of order; `pending` holds them until their turn.
  const chunkFile: number[] = [];
  const pending = new Map<number, ChunkResult>();
  const sources: ManifestSource[] = [];
  const lineCursor: number[] = [];
  const firstRejects: RejectedRow[] = [];
  const rejectLines: string[] = [];
  const partitionDirs = new Set<string>();
  let nextSeq = 0;
  let rows = 0;
  let rejected = 0;
  let bytesRead = 0;

  const onChunk = (r: ChunkResult) => {
    chunkBuffers.give(r.buffer);
    pending.set(r.seq, r);
    for (let c = pending.get(nextSeq); c !== undefined; c = pending.get(nextSeq)) {
      pending.delete(nextSeq);
      const fi = chunkFile[nextSeq];
      const file = files[fi];
      for (const rej of c.rejects) {
        const row: RejectedRow = { file, line: lineCursor[fi] + rej.line + 1, raw: rej.raw, reason: rej.reason };
        rejected++;
        sources[fi].rejected++;
        if (firstRejects.length < MAX_REPORTED_REJECTS) firstRejects.push(row);
        rejectLines.push(JSON.stringify(row));
      }
      for (const dir of c.newPartitions) {
        partitionDirs.add(dir);
        if (partitionDirs.size > maxPartitions) throw tooManyPartitions(maxPartitions, partitionBy, dir);
      }
      lineCursor[fi] += c.lines;
      rows += c.rows;
      sources[fi].rows += c.rows;
      nextSeq++;
      if (rejected > maxErrors) throw tooManyRejects(rejected, maxErrors, firstRejects);
    }
    opts.onProgress?.({ bytesRead, totalBytes, rows, rejected });
  };

  let pool: WorkerPool | undefined;
  // Interrupted, the workers stop before the temp folder goes, so none writes into it afterwards.
  const forgetPool = stopOnInterrupt(async () => {
    await pool?.terminate();
  });
  // Workers start with the first data chunk, so a bad header or a missing file fails fast.
  const startPool = () =>
    WorkerPool.start(
      workers,
      {
        outDir: tmp,
        partitionBy,
        domains,
        compression,
        rowGroupSize,
        rowsPerFile,
        memoryBudgetBytes: opts.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET,
        maxPartitions,
        format,
        failAfterChunks: opts.failAfterChunks,
      },
      onChunk,
    );
  try {
    let seq = 0;
    for (let fi = 0; fi < files.length; fi++) {
      const file = files[fi];
      // MD5, like GCS's md5Hash (so the manifest can be checked against uploaded objects), and ~2.3x
      // cheaper than SHA-256 on CPUs without SHA extensions: this runs beside two busy encoder threads.
      const hash = createHash('md5');
      sources.push({ path: file, bytes: sizes[fi], md5: '', rows: 0, rejected: 0 });
      lineCursor.push(0);
      const readBefore = bytesRead;
      let first = true;
      const chunks = isGzip(file)
        ? lineChunks(
            hashedThenGunzipped(file, hash, Math.min(chunkBytes, 1024 * 1024), (n) => {
              bytesRead += n;
            }),
            { chunkBytes, file },
          )
        : fileChunks(file, chunkBuffers, (b) => {
            hash.update(b);
            bytesRead += b.length;
          });
      for await (const chunk of chunks) {
        let bytes = chunk;
        if (first && format === 'csv') {
          const start = consumeHeader(chunk, file);
          lineCursor[fi] = 1;
          bytes = chunk.subarray(start);
        } else if (first) {
          bytes = chunk.subarray(skipByteOrderMark(chunk));
        }
        first = false;
        if (bytes.length === 0) {
          chunkBuffers.give(chunk.buffer as ArrayBuffer);
          continue;
        }
        chunkFile[seq] = fi;
        pool ??= await startPool();
        await pool.dispatch(seq++, bytes);
      }
      if (first && format === 'csv') throw emptyFileError(file);
      // The manifest says which bytes were converted: they must be one version of the file.
      const now = statSync(file);
      if (bytesRead - readBefore !== sizes[fi] || now.size !== sizes[fi] || now.mtimeMs !== stats[fi].mtimeMs) {
        throw new InputError(
          `changed while being converted (${sizes[fi]} bytes at the start, ${bytesRead - readBefore} read, ${now.size} now): ` +
            'convert it once it is complete; no dataset written',
          { file, step: 'read' },
        );
      }
      sources[fi].md5 = hash.digest('hex');
    }
    const written = pool ? await pool.finish() : [];
    if (nextSeq !== seq) throw new Error(`internal: ${seq - nextSeq} chunk results missing`);
    await pool?.terminate();
    pool = undefined;

    // Final names: part-00000.parquet … per partition folder, in a stable order.
    written.sort((a, b) => a.path.localeCompare(b.path));
    const perDir = new Map<string, number>();
    const manifestFiles = [];
    const partitions: Record<string, number> = {};
    for (const f of written) {
      const dir = dirname(f.path);
      const n = perDir.get(dir) ?? 0;
      perDir.set(dir, n + 1);
      const path = `${dir}/part-${String(n).padStart(5, '0')}.parquet`;
      await rename(join(tmp, f.path), join(tmp, path));
      manifestFiles.push({ ...f, path });
      partitions[dir] = (partitions[dir] ?? 0) + f.rows;
    }
    if (rejected > 0) {
      await mkdir(join(tmp, '_rejects'), { recursive: true });
      await writeFile(join(tmp, REJECTS_FILE), `${rejectLines.join('\n')}\n`);
    }
    const manifest: ParquetManifest = {
      version: 1,
      createdAt: new Date().toISOString(),
      tool: 'salesflow to-parquet',
      partitionBy,
      compression,
      rowGroupSize,
      schema: schemaOf(SALES_COLUMNS.map((c) => c.name).filter((c) => !partitionBy.includes(c))),
      partitionSchema: schemaOf(partitionBy),
      rows,
      rejected,
      bytes: manifestFiles.reduce((n, f) => n + f.bytes, 0),
      partitions,
      files: manifestFiles,
      sources,
      ...(rejected > 0 ? { rejectsFile: REJECTS_FILE } : {}),
    };
    await writeFile(join(tmp, '_manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await writeFile(join(tmp, '_SUCCESS'), '');
    await target.commit();
    return manifest;
  } catch (err) {
    await pool?.terminate();
    // Cleaning up must not hide why the run failed.
    await target.abort().catch(() => {});
    throw writeFailure(err, opts.outDir);
  } finally {
    forgetPool();
  }
}

/** A gzip file's bytes, hashed as read (the compressed bytes), then decompressed. */
async function* hashedThenGunzipped(
  file: string,
  hash: ReturnType<typeof createHash>,
  pieceBytes: number,
  onRead: (n: number) => void,
): AsyncIterable<Uint8Array> {
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const b of createReadStream(file, { highWaterMark: pieceBytes })) {
      hash.update(b as Buffer);
      onRead((b as Buffer).length);
      yield b as Buffer;
    }
  }
  yield* gunzipped(hashed(), pieceBytes);
}

function schemaOf(cols: readonly ColumnName[]) {
  return cols.map((name) => ({ name, type: duckdbType(columnSpec(name)) }));
}

function tooManyRejects(rejected: number, maxErrors: number, first: readonly RejectedRow[]): InputError {
  const lines = first.map((r) => `  ${r.file}:${r.line}: ${r.reason}`);
  const more = rejected > first.length ? `\n  … and more (showing the first ${first.length})` : '';
  return new InputError(
    `stopped after ${rejected} bad row${rejected === 1 ? '' : 's'} (more than --max-errors ${maxErrors}); no dataset written:\n${lines.join('\n')}${more}`,
    { step: 'validate' },
  );
}

function positiveInt(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} must be a whole number ≥ 1 (got ${n})`);
  return n;
}
