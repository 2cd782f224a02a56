/**
 * The one way product code opens DuckDB. @duckdb/node-api decodes every VARCHAR
 * (top-level, inside LIST/STRUCT/MAP/UNION, VARIANT) with one shared
 * `new TextDecoder()`, whose default drops a leading U+FEFF: a value stored
 * as "\uFEFFabc" would be read back as "abc" by `query`, the dashboard and
 * aggregate while the warehouse holds (and BigQuery returns) the original.
 * The library reads that decoder from its module's exports on every call, so
 * replacing it with one that keeps U+FEFF (shared/utf8.ts) fixes every path at
 * once; it is done before any instance exists.
 */
import { createRequire } from 'node:module';
import { DuckDBInstance } from '@duckdb/node-api';
import { lossyUtf8Decoder } from './utf8.ts';

type DuckDBConfig = Parameters<typeof DuckDBInstance.create>[1];

let decoderReplaced = false;

/** Make @duckdb/node-api return strings byte for byte (idempotent). */
export function keepDuckdbStringsExact(): void {
  if (decoderReplaced) return;
  const require = createRequire(import.meta.url);
  // The accessor module is CommonJS; `getString` reads `exports.textDecoder` at each call.
  const accessors = require('@duckdb/node-api/lib/vectors/dataAccessors.js') as { textDecoder: TextDecoder };
  if (!(accessors.textDecoder instanceof TextDecoder)) {
    throw new Error('@duckdb/node-api no longer exposes its string decoder: check shared/duckdb-instance.ts');
  }
  // Lossy as the library's own: DuckDB only holds valid UTF-8 in VARCHAR.
  accessors.textDecoder = lossyUtf8Decoder();
  decoderReplaced = true;
}

/** DuckDBInstance.create, with strings read back exactly as stored. */
export async function createDuckdb(path: string, config?: DuckDBConfig): Promise<DuckDBInstance> {
  keepDuckdbStringsExact();
  return DuckDBInstance.create(path, config);
}
