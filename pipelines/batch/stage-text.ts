/**
 * In-process validation of a text file (CSV or NDJSON, plain or gzip), written
 * with the pipelines SDK: the file's rows are read by to-parquet's reader (same
 * parser, header check and RecordValidator verdicts), routed to `valid` and
 * `invalid` outputs, and each output is written to a file that is then loaded
 * into a staging table in one load job: valid rows as CSV (columns in the
 * staging table's order — BigQuery CSV loads are positional — and about 3x
 * cheaper to write and to load than NDJSON), rejected rows as NDJSON (their raw
 * text can hold anything). Nothing reaches the medallion
 * tables here: the commit step moves staged rows in one transaction.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { InputError } from '../../shared/errors.ts';
import { formatCents } from '../../shared/money.ts';
import { COLUMN_NAMES, type SalesDomains, type SalesRecord } from '../../shared/schema/index.ts';
import { csvField } from '../../shared/format.ts';
import { type RejectedRow, readSalesFile } from '../../transform/read-sales.ts';
import { boundedSource, DirectRunner, Pipeline, readFrom, type Sink, withOutputs, writeTo } from '../sdk/index.ts';
import { crashPoint } from './crash.ts';
import type { LandingFile } from './landing-file.ts';

export interface StagedText {
  /** CSV of valid rows (header; sales columns, _line (empty), _seq). */
  validPath: string;
  /** NDJSON of rejected rows (raw_row, _line, reasons). */
  rejectsPath: string;
  valid: number;
  rejected: number;
}

/** Quarantine keeps the start of an absurdly long row, not megabytes of it. */
const MAX_RAW_CHARS = 64 * 1024;

/** `seq`: the valid row's position in the file, so "first row wins" among duplicate ids is deterministic. */
type Verdict = { ok: true; record: SalesRecord; seq: number } | { ok: false; reject: RejectedRow };

/** A sink appending one line per element to a local file (flushed when the pipeline ends). */
function lineSink<T>(name: string, path: string, toLine: (v: T) => string, header = ''): Sink<T> & { count: number } {
  let out: WriteStream | undefined;
  const sink = {
    name,
    count: 0,
    open() {
      out = createWriteStream(path);
      if (header) out.write(header);
    },
    async write(values: readonly T[]) {
      let text = '';
      for (const v of values) text += toLine(v);
      sink.count += values.length;
      if (!out?.write(text)) await once(out as WriteStream, 'drain');
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

/** A valid row as a CSV line; ids are restricted to [A-Za-z0-9_.:-], so only the domain strings may need quotes. */
function validCsvLine(v: Verdict & { ok: true }): string {
  const r = v.record;
  return `${r.transaction_id},${r.customer_id},${r.transaction_date},${formatCents(r.sale_amount)},${csvField(r.product_category)},${csvField(r.sales_region)},,${v.seq}\n`;
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
  let seq = 0;
  const rows = boundedSource<Verdict>(`File(${file.key})`, async function* () {
    try {
      for await (const batch of readSalesFile(bytes, {
        file: file.uri,
        format: file.format as 'csv' | 'ndjson',
        gzip: file.gzip,
        domains,
      })) {
        const values: Verdict[] = [];
        // The reader reports line numbers for rejects only; valid rows keep their order instead.
        for (const r of batch.records) values.push({ ok: true, record: r, seq: ++seq });
        for (const r of batch.rejects) values.push({ ok: false, reject: r });
        if (++batches === 2) crashPoint('mid-file');
        yield { values };
      }
    } catch (err) {
      throw asInputError(err, file.uri);
    }
  });
  const p = new Pipeline();
  const { valid, invalid } = p.apply(readFrom(rows)).apply(
    withOutputs<Verdict, { valid: Verdict & { ok: true }; invalid: RejectedRow }>(
      ['valid', 'invalid'],
      {
        process(v, ctx) {
          if (v.ok) ctx.outputTo('valid', v);
          else ctx.outputTo('invalid', v.reject);
        },
      },
      { name: 'Validate' },
    ),
  );
  const validSink = lineSink<Verdict & { ok: true }>('StageValid', validPath, validCsvLine, VALID_HEADER);
  const rejectSink = lineSink<RejectedRow>(
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
  valid.apply(writeTo(validSink, { batchSize: 4096 }));
  invalid.apply(writeTo(rejectSink, { batchSize: 1024 }));
  try {
    await new DirectRunner().run(p).waitUntilFinish();
  } catch (err) {
    // The runner names the failing step; what the caller needs is the file's problem.
    throw inputCause(err) ?? err;
  }
  return { validPath, rejectsPath, valid: validSink.count, rejected: rejectSink.count };
}
