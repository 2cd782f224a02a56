/** `_manifest.json`: what a to-parquet run wrote, from what, with which schema. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { folderOutput } from '../shared/atomic.ts';

export interface ManifestFile {
  /** Relative to the output folder. */
  path: string;
  partition: Record<string, string>;
  rows: number;
  bytes: number;
}

export interface ManifestSource {
  path: string;
  bytes: number;
  /** MD5 of the source bytes, hex. */
  md5: string;
  /** Data rows that converted / were rejected. */
  rows: number;
  rejected: number;
}

export interface ParquetManifest {
  version: 1;
  createdAt: string;
  tool: 'salesflow to-parquet';
  partitionBy: string[];
  compression: string;
  rowGroupSize: number;
  /** Non-partition columns stored in the files; partition columns come from the paths. */
  schema: { name: string; type: string }[];
  partitionSchema: { name: string; type: string }[];
  rows: number;
  rejected: number;
  bytes: number;
  /** Rows per partition folder, e.g. {"sales_region=North": 2001234}. */
  partitions: Record<string, number>;
  files: ManifestFile[];
  sources: ManifestSource[];
  /** `_rejects/rejects.ndjson` when rows were rejected. */
  rejectsFile?: string;
}

/** Is `dir` a to-parquet output (its `_manifest.json` says so)? */
export function isToParquetOutput(dir: string): boolean {
  try {
    return JSON.parse(readFileSync(join(dir, '_manifest.json'), 'utf8')).tool === 'salesflow to-parquet';
  } catch {
    return false;
  }
}

/** What `to-parquet --force` may replace: an empty folder or an earlier to-parquet output. */
export const TO_PARQUET_OUTPUT = folderOutput(
  'a to-parquet output folder (with its _manifest.json)',
  isToParquetOutput,
);
