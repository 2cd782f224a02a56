/** Resolve the INPUT argument (a file, a folder of files, or a glob) to a sorted list of files. */
import { existsSync, statSync } from 'node:fs';
import { glob, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError, UsageError } from '../shared/errors.ts';
import type { InputFormat } from './row-parser.ts';

const DATA_FILE = /\.(csv|ndjson|jsonl)(\.gz)?$/i;

export async function resolveInputs(input: string): Promise<string[]> {
  if (existsSync(input)) {
    const st = statSync(input);
    if (st.isFile()) return [input];
    if (st.isDirectory()) {
      const names = (await readdir(input)).filter((n) => DATA_FILE.test(n) && !n.startsWith('.')).sort();
      if (names.length === 0) {
        throw new InputError('folder has no .csv, .ndjson or .jsonl files (optionally .gz)', { file: input });
      }
      return names.map((n) => join(input, n));
    }
  }
  if (/[*?[{]/.test(input)) {
    const found: string[] = [];
    for await (const f of glob(input)) if (statSync(f).isFile()) found.push(f);
    if (found.length === 0) throw new UsageError('glob matches no files', { file: input });
    return found.sort();
  }
  // A path named on the command line that is not there is a usage error, as for every command.
  throw new UsageError('input does not exist', { file: resolve(input) });
}

/** Format from the file name, unless given. */
export function formatOf(file: string, given?: InputFormat): InputFormat {
  if (given) return given;
  return /\.(ndjson|jsonl)(\.gz)?$/i.test(file) ? 'ndjson' : 'csv';
}

export function isGzip(file: string): boolean {
  return /\.gz$/i.test(file);
}

/**
 * Decompress a gzip byte stream. An error reading the compressed side is
 * forwarded to the output (a plain .pipe() would leave it unhandled and crash
 * the process instead of failing the read).
 */
export function gunzipped(compressed: AsyncIterable<Uint8Array>, chunkSize?: number): AsyncIterable<Uint8Array> {
  const raw = Readable.from(compressed);
  const gunzip = createGunzip(chunkSize === undefined ? {} : { chunkSize });
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}
