/**
 * A local source for the duckdb and arrow engines: a hive-partitioned Parquet
 * folder (`sales_region=North/part-00000.parquet`), a single Parquet file, or a
 * CSV file. Only what the lake's layout defines is data (shared/lake-layout.ts):
 * files under its partition folders, in its order; hidden and `_`-prefixed
 * entries (temp siblings of an interrupted write, `_SUCCESS`, `_manifest.json`)
 * and other folders (a `backup/` copy) are never read.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { InputError, UsageError } from '../shared/errors.ts';
import { log } from '../shared/log.ts';
import { parseIsoDate } from '../shared/dates.ts';
import { parseCents } from '../shared/money.ts';
import { isBookkeepingName, manifestPartitionBy, selectLakeFiles } from '../shared/lake-layout.ts';
import { type ColumnName, columnSpec } from '../shared/schema/columns.ts';
import type { Filter } from './query.ts';

export interface LakeFile {
  path: string;
  /** Partition column → value, from `column=value` folders on the way to the file. */
  partitions: Partial<Record<ColumnName, string>>;
}

export type LocalSource =
  | {
      kind: 'parquet';
      root: string;
      files: LakeFile[];
      partitionColumns: ColumnName[];
      /** Parquet files below the root that the layout does not define (never read), and why. */
      skipped: { path: string; reason: string }[];
    }
  | { kind: 'csv'; path: string };

/** Find the data files under `path` that the lake's layout defines, with their partition values. */
export function openLocalSource(path: string): LocalSource {
  if (!existsSync(path)) throw new UsageError(`source ${path} does not exist`, { file: path, step: 'open source' });
  const st = statSync(path);
  if (st.isFile()) {
    if (/\.csv$/i.test(path)) return { kind: 'csv', path };
    if (/\.parquet$/i.test(path))
      return { kind: 'parquet', root: path, files: [{ path, partitions: {} }], partitionColumns: [], skipped: [] };
    throw new InputError(`source ${path} is neither a .parquet nor a .csv file`, { file: path, step: 'open source' });
  }
  // to-parquet writes _manifest.json, then _SUCCESS last: a manifest alone means an unfinished copy.
  const manifestPath = join(path, '_manifest.json');
  let manifestColumns: ColumnName[] | undefined;
  if (existsSync(manifestPath)) {
    if (!existsSync(join(path, '_SUCCESS'))) {
      log.warn(`${path} has _manifest.json but no _SUCCESS: it may be an incomplete copy of a lake`);
    }
    manifestColumns = manifestPartitionBy(readFileSync(manifestPath, 'utf8'));
    if (manifestColumns === undefined) log.warn(`${manifestPath} names no partition columns: ignored`);
  }
  const found: { path: string }[] = [];
  walk(path, found);
  found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const lake = selectLakeFiles(
    found,
    (f) => relative(path, f.path).split(sep).slice(0, -1),
    (f) => relative(path, f.path),
    manifestColumns,
  );
  const skipped = lake.skipped.map((s) => ({ path: s.file.path, reason: s.reason }));
  if (skipped.length > 0) {
    const eg = skipped[0];
    log.warn(
      `${path}: ${skipped.length} Parquet file${skipped.length === 1 ? '' : 's'} outside the lake's layout not read ` +
        `(e.g. ${relative(path, eg.path)}: ${eg.reason})`,
    );
  }
  if (lake.files.length === 0) {
    throw new InputError(
      `no Parquet files under ${path} (expected e.g. ${join(path, 'sales_region=North', 'part-00000.parquet')})` +
        (skipped.length > 0
          ? `; ${skipped.length} outside the lake's layout, e.g. ${relative(path, skipped[0].path)}`
          : ''),
      { file: path, step: 'open source' },
    );
  }
  return { kind: 'parquet', root: path, files: lake.files, partitionColumns: lake.partitionColumns, skipped };
}

/** Every `.parquet` file below `dir`, except under hidden and `_`-prefixed names (temp siblings, `_rejects/`). */
function walk(dir: string, out: { path: string }[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (isBookkeepingName(entry.name)) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile() && entry.name.endsWith('.parquet')) out.push({ path: full });
  }
}

/**
 * Keep only files whose partition values can satisfy every filter on a
 * partition column: `--where region=North` never opens the other folders.
 */
export function pruneFiles(files: readonly LakeFile[], where: readonly Filter[]): LakeFile[] {
  return files.filter((f) => partitionsMatch(f.partitions, where));
}

/** Whether a file with these partition values can hold rows passing every filter (other columns: maybe). */
export function partitionsMatch(partitions: LakeFile['partitions'], where: readonly Filter[]): boolean {
  return where.every((flt) => {
    const value = partitions[flt.column];
    return value === undefined || partitionValueMatches(flt, value);
  });
}

/** Does a partition value (text from the path) satisfy a filter? Typed comparison for dates/numbers. */
export function partitionValueMatches(flt: Filter, value: string): boolean {
  const type = columnSpec(flt.column).type;
  const mine = type === 'DATE' ? parseIsoDate(value) : type === 'NUMERIC' ? parseCents(value) : 0;
  // INT64 exactly (ids past 2^53 are not doubles); a folder value that is no integer matches nothing.
  const int = type === 'INT64' && /^-?\d+$/.test(value) ? BigInt(value) : undefined;
  const cmp = (v: Filter['values'][number]): number => {
    if (type === 'STRING') return value < v.text ? -1 : value > v.text ? 1 : 0;
    if (type === 'INT64') return int === undefined ? Number.NaN : int < v.int! ? -1 : int > v.int! ? 1 : 0;
    return mine < v.num ? -1 : mine > v.num ? 1 : 0;
  };
  switch (flt.op) {
    case '=':
      return flt.values.some((v) => cmp(v) === 0);
    case '!=':
      return flt.values.every((v) => cmp(v) !== 0);
    case '<':
      return cmp(flt.values[0]) < 0;
    case '<=':
      return cmp(flt.values[0]) <= 0;
    case '>':
      return cmp(flt.values[0]) > 0;
    case '>=':
      return cmp(flt.values[0]) >= 0;
  }
}
