/**
 * What the batch pipeline knows about one file in the landing area: where it is,
 * its format (from the name), the checksum identifying this version of it, and
 * partition values carried by hive-style folders (`sales_region=North/…`).
 */
import { leadingFolders, partitionOrderProblem, pathPartitions } from '../../shared/lake-layout.ts';
import type { ColumnName } from '../../shared/schema/index.ts';

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
  /** Set when the file lies outside its lake's layout (shared/lake-layout.ts): refused, never read as data. */
  outsideLayout?: string;
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

/**
 * The partition values a landing key's folders give it, or why it lies outside
 * its lake's layout. A lake starts at the outermost folder holding a
 * `_manifest.json` (whose partitionBy is then the layout), else at the first
 * `column=value` folder; below that, every folder must be a partition folder
 * (a `backup/` copy inside a partition is not data). `manifestAt(folder)` gives
 * the partitionBy of a `_manifest.json` in that folder ('' is the landing root),
 * or undefined when there is none.
 */
export function landingPartitions(
  key: string,
  manifestAt: (folder: string) => readonly ColumnName[] | undefined,
): { values: Partial<Record<ColumnName, string>> } | { outside: string } {
  const folders = key.split('/').slice(0, -1);
  for (let lead = 0; lead <= folders.length; lead++) {
    const layout = manifestAt(folders.slice(0, lead).join('/'));
    if (layout === undefined) continue;
    const pp = pathPartitions(folders, lead);
    if ('outside' in pp) return pp;
    const problem = partitionOrderProblem(pp.columns, layout);
    return problem === undefined ? pp : { outside: `${problem} (_manifest.json)` };
  }
  const pp = pathPartitions(folders, leadingFolders(folders));
  return 'outside' in pp ? pp : { values: pp.values };
}
