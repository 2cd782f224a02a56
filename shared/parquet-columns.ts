/**
 * A Parquet file's columns, from its footer alone: the last 8 bytes give the
 * footer's length, one more ranged read gets the footer, and parquet-wasm turns
 * it into the Arrow schema. Works the same on a local file and on a gs://
 * object (through the object store's ranged reads), so every reader judges a
 * file's types by one rule (schema/file-columns.ts) before reading any row.
 */
import { tableFromIPC } from 'apache-arrow';
import { readSchema } from 'parquet-wasm/esm';
import { InputError } from './errors.ts';
import { initParquetWasm } from './parquet-wasm.ts';
import { arrowColumnKind } from './schema/arrow.ts';
import type { FoundColumns } from './schema/file-columns.ts';

/** Reads bytes [start, end] (inclusive) of the file. */
export type RangeReader = (start: number, end: number) => Promise<Uint8Array>;

const MAGIC = 'PAR1';

/** The file's columns in order; an InputError when the bytes are not a Parquet file. */
export async function readParquetColumns(file: string, size: number, read: RangeReader): Promise<FoundColumns> {
  const bad = (why: string, cause?: unknown) =>
    new InputError(`not a readable Parquet file: ${why}`, { file, step: 'read schema' }, cause);
  if (size < 12) throw bad(`${size} bytes is too short for a Parquet file`);
  const tail = await read(size - 8, size - 1);
  if (Buffer.from(tail.subarray(4)).toString('latin1') !== MAGIC) throw bad('no PAR1 magic at its end');
  const footerLength = Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength).readUInt32LE(0);
  if (footerLength + 12 > size) throw bad(`its footer length (${footerLength}) exceeds the file`);
  const footer = await read(size - 8 - footerLength, size - 1);
  let schema: ReturnType<typeof readSchema>;
  try {
    initParquetWasm();
    schema = readSchema(footer);
  } catch (err) {
    throw bad(err instanceof Error ? err.message : String(err), err);
  }
  return tableFromIPC(schema.intoIPCStream()).schema.fields.map((f) => [f.name, arrowColumnKind(f.type)] as const);
}
