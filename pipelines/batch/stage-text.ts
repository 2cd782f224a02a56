/**
 * In-process validation of a text file (CSV or NDJSON, plain or gzip), written
 * with the pipelines SDK. The file is read by to-parquet's reader (same parser,
 * header check and RecordValidator verdicts) one chunk (~1 MiB) at a time; an
 * element is a chunk's verdicts: its valid rows, already staging CSV bytes
 * written from the parsed values (staging-csv-writer.ts: no object or string
 * per row), and its rejected rows. They are routed to `valid` and `invalid`
 * outputs and written to two local files: valid rows as CSV (the staging
 * table's column order — BigQuery CSV loads are positional), rejected rows as
 * NDJSON (their raw text can hold anything). Every valid row keeps its line
 * number (`_line`, also its `_seq`: the first occurrence of a repeated id
 * wins). Nothing reaches the medallion tables here: stage.ts puts the files
 * in staging, the commit step moves the rows in one transaction.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { InputError } from '../../shared/errors.ts';
import { COLUMN_NAMES, DEFAULT_DOMAINS, type SalesDomains } from '../../shared/schema/index.ts';
import { type ChunkCollector, type RejectedRow, readSalesChunks } from '../../transform/read-sales.ts';
import { boundedSource, DirectRunner, Pipeline, readFrom, type Sink, withOutputs, writeTo } from '../sdk/index.ts';
import { checkpoint } from '../crash.ts';
import type { LandingFile } from './landing-file.ts';
import { StagingCsvWriter } from './staging-csv-writer.ts';

export interface StagedText {
  /** CSV of valid rows (header; sales columns, _line, _seq). */
  validPath: string;
  /** NDJSON of rejected rows (raw_row, _line, reasons). */
  rejectsPath: string;
  valid: number;
  rejected: number;
}

/** Quarantine keeps the start of an absurdly long row, not megabytes of it. */
const MAX_RAW_CHARS = 64 * 1024;

/** One chunk's verdicts: its valid rows as staging CSV bytes, and its rejected rows. */
interface ChunkVerdicts {
  validCsv: Uint8Array;
  valid: number;
  rejects: RejectedRow[];
}

/** A sink appending each element's text or bytes to a local file (flushed when the pipeline ends); `count` counts rows. */
function fileSink<T>(
  name: string,
  path: string,
  toChunk: (v: T) => string | Uint8Array,
  header = '',
  rowsOf: (v: T) => number = () => 1,
): Sink<T> & { count: number } {
  let out: WriteStream | undefined;
  const sink = {
    name,
    count: 0,
    open() {
      out = createWriteStream(path);
      if (header) out.write(header);
    },
    async write(values: readonly T[]) {
      let ok = true;
      for (const v of values) {
        ok = (out as WriteStream).write(toChunk(v));
        sink.count += rowsOf(v);
      }
      if (!ok) await once(out as WriteStream, 'drain');
    },
    async close() {
      if (!out) return;
      out.end();
      await once(out, 'finish');
    },
  };
  return sink;
}

const VALID_HEADER = `${[...COLUMN_NAMES, '_line', '_seq'].join(',')}\n`;

/** Collects a chunk's valid rows as staging CSV bytes (staging-csv-writer.ts) and its rejected rows. */
function csvCollector(file: string, domains: SalesDomains): ChunkCollector<ChunkVerdicts> {
  const writer = new StagingCsvWriter(domains);
  return (firstLine) => {
    const rejects: RejectedRow[] = [];
    return {
      row(b, s, e, customer, day, cents, category, region, line) {
        writer.row(b, s, e, customer, day, cents, category, region, firstLine + line);
      },
      reject(line, raw, reason) {
        rejects.push({ file, line: firstLine + line, raw, reason });
      },
      result() {
        const valid = writer.rows;
        const validCsv = writer.take();
        return valid > 0 || rejects.length > 0 ? { validCsv, valid, rejects } : undefined;
      },
    };
  };
}

/** Decompression and decoding failures are facts about the file: report them as bad input, naming it. */
function asInputError(err: unknown, file: string): unknown {
  const code = (err as { code?: string }).code;
  if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || code === 'ERR_PADDING_1') {
    return new InputError(`gzip stream is truncated or corrupt (${(err as Error).message})`, { file }, err);
  }
  return err;
}

/** The InputError somewhere in an error's cause chain, if any. */
export function inputCause(err: unknown): InputError | undefined {
  for (let e = err; e instanceof Error; e = e.cause) if (e instanceof InputError) return e;
  return undefined;
}

export async function stageTextFile(
  file: LandingFile,
  bytes: Readable,
  workDir: string,
  domains?: SalesDomains,
): Promise<StagedText> {
  const validPath = join(workDir, 'valid.csv');
  const rejectsPath = join(workDir, 'rejects.ndjson');
  let batches = 0;
  const chunks = boundedSource<ChunkVerdicts>(`File(${file.key})`, async function* () {
    try {
      const read = readSalesChunks(
        bytes,
        { file: file.uri, format: file.format as 'csv' | 'ndjson', gzip: file.gzip, domains },
        csvCollector(file.uri, domains ?? DEFAULT_DOMAINS),
      );
      for await (const chunk of read) {
        if (++batches === 2) await checkpoint('mid-file', [file.key]);
        yield { values: [chunk] };
      }
    } catch (err) {
      throw asInputError(err, file.uri);
    }
  });
  const p = new Pipeline();
  const { valid, invalid } = p.apply(readFrom(chunks)).apply(
    withOutputs<ChunkVerdicts, { valid: ChunkVerdicts; invalid: RejectedRow }>(
      ['valid', 'invalid'],
      {
        process(c, ctx) {
          if (c.valid > 0) ctx.outputTo('valid', c);
          for (const r of c.rejects) ctx.outputTo('invalid', r);
        },
      },
      { name: 'Validate' },
    ),
  );
  const validSink = fileSink<ChunkVerdicts>(
    'StageValid',
    validPath,
    (c) => c.validCsv,
    VALID_HEADER,
    (c) => c.valid,
  );
  const rejectSink = fileSink<RejectedRow>(
    'StageRejects',
    rejectsPath,
    (r) =>
      `${JSON.stringify({
        raw_row:
          r.raw.length > MAX_RAW_CHARS ? `${r.raw.slice(0, MAX_RAW_CHARS)}… (${r.raw.length} characters)` : r.raw,
        _line: r.line,
        reasons: r.reason,
      })}\n`,
  );
  valid.apply(writeTo(validSink, { batchSize: 16 }));
  invalid.apply(writeTo(rejectSink, { batchSize: 1024 }));
  try {
    await new DirectRunner().run(p).waitUntilFinish();
  } catch (err) {
    // The runner names the failing step; what the caller needs is the file's problem.
    throw inputCause(err) ?? err;
  }
  return { validPath, rejectsPath, valid: validSink.count, rejected: rejectSink.count };
}
