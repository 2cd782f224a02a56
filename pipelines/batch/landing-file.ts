/**
 * What the batch pipeline knows about one file in the landing area: where it is,
 * its format (from the name), the checksum identifying this version of it, and
 * partition values carried by hive-style folders (`sales_region=North/…`).
 */
import { COLUMN_NAMES, type ColumnName } from '../../shared/schema/index.ts';
import { unescapePartitionValue } from '../../shared/hive-path.ts';

export type LandingFormat = 'csv' | 'ndjson' | 'parquet';

export interface LandingFile {
  /** Key relative to the landing store's root. */
  key: string;
  /** Full address (path or gs:// URI): the file's name in load_log, bronze and quarantine. */
  uri: string;
  size: number;
  /** Identifies this version of the file (GCS/local MD5, else CRC32C). */
  checksum: string;
  /** The store's version of it when listed (GCS generation; local mtime, size, inode): reads, copies and deletes are pinned to it. */
  generation?: string;
  /** When it was last written (ISO), for --min-age. */
  updated?: string;
  format: LandingFormat;
  gzip: boolean;
  /** Column values from `column=value` folders, for Parquet lakes partitioned by to-parquet. */
  partitionValues: Partial<Record<ColumnName, string>>;
}

const FORMAT_RE = /\.(csv|ndjson|jsonl|parquet)(\.gz)?$/i;

/** Format and compression from a file name, or undefined for files the pipeline does not read. */
export function classifyKey(key: string): { format: LandingFormat; gzip: boolean } | undefined {
  const base = key.slice(key.lastIndexOf('/') + 1);
  // _SUCCESS, _manifest.json, .part temp files: bookkeeping, not data.
  if (base.startsWith('_') || base.startsWith('.')) return undefined;
  const m = FORMAT_RE.exec(base);
  if (!m) return undefined;
  const ext = m[1].toLowerCase();
  return { format: ext === 'parquet' ? 'parquet' : ext === 'csv' ? 'csv' : 'ndjson', gzip: m[2] !== undefined };
}

const COLUMNS = new Set<string>(COLUMN_NAMES);

export function partitionValuesOf(key: string): Partial<Record<ColumnName, string>> {
  const out: Partial<Record<ColumnName, string>> = {};
  for (const segment of key.split('/').slice(0, -1)) {
    const eq = segment.indexOf('=');
    if (eq <= 0) continue;
    const column = segment.slice(0, eq);
    if (COLUMNS.has(column)) out[column as ColumnName] = unescapePartitionValue(segment.slice(eq + 1));
  }
  return out;
}
