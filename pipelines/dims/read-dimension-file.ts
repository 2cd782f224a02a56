/**
 * Read one dimension CSV (customers.csv, products.csv; `.gz` too) and validate
 * it with the schema module: the header must be the schema's, each row's fields
 * pass the column checks, and a key may appear once (a repeat is refused,
 * naming the line it repeats). Dimension files are small (100k customers ≈ 6 MB),
 * so the file is read whole; every verdict carries its physical line.
 */
import { gunzipSync } from 'node:zlib';
import { InputError } from '../../shared/errors.ts';
import { lossyUtf8Decoder, strictUtf8Decoder } from '../../shared/utf8.ts';
import {
  type DimensionSchema,
  formatFieldErrors,
  type SalesDomains,
  validateDimensionFields,
} from '../../shared/schema/index.ts';
import { splitCsvLine } from '../../transform/row-parser.ts';
import { quoteForMessage } from '../../shared/format.ts';

export interface DimensionRow {
  line: number;
  /** Values in schema order as text; null for an empty optional field. */
  values: (string | null)[];
}

export interface DimensionReject {
  line: number;
  raw: string;
  reasons: string;
}

export interface DimensionFileContent {
  rows: DimensionRow[];
  rejects: DimensionReject[];
}

/** Raw rows are capped in quarantine, like the facts'. */
const MAX_RAW_ROW = 64 * 1024;

/**
 * Parse and validate. A file that cannot be a dimension file at all (not gzip
 * when named .gz, an empty file, a wrong header) throws an InputError naming
 * the file and line; row-level problems come back as rejects.
 */
export function readDimensionFile(
  bytes: Buffer,
  opts: { file: string; schema: DimensionSchema; gzip: boolean; domains?: SalesDomains },
): DimensionFileContent {
  const { file, schema } = opts;
  let data = bytes;
  if (opts.gzip) {
    try {
      data = gunzipSync(bytes);
    } catch (err) {
      throw new InputError(`not a readable gzip file: ${(err as Error).message}`, { file }, err);
    }
  }
  if (data.length === 0) throw new InputError('the file is empty (0 bytes)', { file });
  const utf8 = strictUtf8Decoder();
  const lossy = lossyUtf8Decoder();
  const rows: DimensionRow[] = [];
  const rejects: DimensionReject[] = [];
  const firstLineOfKey = new Map<string, number>();
  const keyIndex = schema.columns.findIndex((c) => c.name === schema.key);
  let start = 0;
  for (let line = 1; start < data.length; line++) {
    const nl = data.indexOf(0x0a, start);
    const end = nl === -1 ? data.length : nl;
    const bytesOfLine = data.subarray(start, end > start && data[end - 1] === 0x0d ? end - 1 : end);
    start = end + 1;
    let text: string;
    try {
      text = utf8.decode(bytesOfLine);
    } catch {
      if (line === 1) throw new InputError('the header line is not valid UTF-8', { file, line });
      rejects.push({ line, raw: cap(lossy.decode(bytesOfLine)), reasons: 'row is not valid UTF-8' });
      continue;
    }
    if (line === 1) {
      const header = text.replace(/^\uFEFF/, '').trim();
      if (header !== schema.header) {
        throw new InputError(
          `header does not match the ${schema.name} schema: expected "${schema.header}", got "${header.slice(0, 200)}"`,
          { file, line },
        );
      }
      continue;
    }
    if (text.length === 0) continue;
    const fields = splitCsvLine(text);
    if (typeof fields === 'string') {
      rejects.push({ line, raw: cap(text), reasons: `row ${fields}` });
      continue;
    }
    const checked = validateDimensionFields(schema, fields, opts.domains);
    if (!checked.ok) {
      rejects.push({ line, raw: cap(text), reasons: formatFieldErrors(checked.errors) });
      continue;
    }
    const key = checked.values[keyIndex] as string;
    const first = firstLineOfKey.get(key);
    if (first !== undefined) {
      rejects.push({ line, raw: cap(text), reasons: `${schema.key} ${quoteForMessage(key)} repeats line ${first}` });
      continue;
    }
    firstLineOfKey.set(key, line);
    rows.push({ line, values: checked.values });
  }
  if (rows.length === 0 && rejects.length === 0) {
    throw new InputError('no data rows (the file has only a header)', { file });
  }
  return { rows, rejects };
}

function cap(raw: string): string {
  return raw.length > MAX_RAW_ROW ? `${raw.slice(0, MAX_RAW_ROW)}…` : raw;
}
