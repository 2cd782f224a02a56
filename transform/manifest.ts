/** `_manifest.json`: what a to-parquet run wrote, from what, with which schema. */

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
