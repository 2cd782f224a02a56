/**
 * A local source for the duckdb and arrow engines: a hive-partitioned Parquet
 * folder (`sales_region=North/part-00000.parquet`), a single Parquet file, or a
 * CSV file. Partition values come from the folder names; hidden and `_`-prefixed
 * entries (temp siblings of an interrupted write, `_SUCCESS`, `_manifest.json`)
 * are never read as data.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { InputError, UsageError } from '../shared/errors.ts';
import { log } from '../shared/log.ts';
import { parseIsoDate } from '../shared/dates.ts';
import { parseCents } from '../shared/money.ts';
import { type ColumnName, COLUMN_NAMES, columnSpec } from '../shared/schema/columns.ts';
import type { Filter } from './query.ts';
import { unescapePartitionValue } from '../shared/hive-path.ts';

export interface LakeFile {
  path: string;
  /** Partition column → value, from `column=value` folders on the way to the file. */
  partitions: Partial<Record<ColumnName, string>>;
}

export type LocalSource =
  | { kind: 'parquet'; root: string; files: LakeFile[]; partitionColumns: ColumnName[] }
  | { kind: 'csv'; path: string };

/** Find the data files under `path` and read their partition values from the folder names. */
export function openLocalSource(path: string): LocalSource {
  if (!existsSync(path)) throw new UsageError(`source ${path} does not exist`, { file: path, step: 'open source' });
  const st = statSync(path);
  if (st.isFile()) {
    if (/\.csv$/i.test(path)) return { kind: 'csv', path };
    if (/\.parquet$/i.test(path))
      return { kind: 'parquet', root: path, files: [{ path, partitions: {} }], partitionColumns: [] };
    throw new InputError(`source ${path} is neither a .parquet nor a .csv file`, { file: path, step: 'open source' });
  }
  // to-parquet writes _manifest.json, then _SUCCESS last: a manifest alone means an unfinished copy.
  if (existsSync(join(path, '_manifest.json')) && !existsSync(join(path, '_SUCCESS'))) {
    log.warn(`${path} has _manifest.json but no _SUCCESS: it may be an incomplete copy of a lake`);
  }
  const files: LakeFile[] = [];
  walk(path, path, files);
  if (files.length === 0) {
    throw new InputError(
      `no Parquet files under ${path} (expected e.g. ${join(path, 'sales_region=North', 'part-00000.parquet')})`,
      {
        file: path,
        step: 'open source',
      },
    );
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const partitionColumns = Object.keys(files[0].partitions) as ColumnName[];
  for (const f of files) {
    const cols = Object.keys(f.partitions);
    if (cols.length !== partitionColumns.length || !partitionColumns.every((c) => c in f.partitions)) {
      throw new InputError(
        `inconsistent partitioning: ${relative(path, f.path)} is under ${cols.join(', ') || 'no partition folders'}, ` +
          `${relative(path, files[0].path)} under ${partitionColumns.join(', ') || 'no partition folders'}`,
        { file: f.path, step: 'open source' },
      );
    }
  }
  return { kind: 'parquet', root: path, files, partitionColumns };
}

function walk(root: string, dir: string, out: LakeFile[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name.startsWith('_')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(root, full, out);
    else if (entry.isFile() && entry.name.endsWith('.parquet'))
      out.push({ path: full, partitions: partitionsOf(root, full) });
  }
}

function partitionsOf(root: string, file: string): Partial<Record<ColumnName, string>> {
  const parts: Partial<Record<ColumnName, string>> = {};
  const segments = relative(root, file).split(sep).slice(0, -1);
  for (const seg of segments) {
    const eq = seg.indexOf('=');
    if (eq < 0) continue;
    const key = seg.slice(0, eq);
    if (!(COLUMN_NAMES as readonly string[]).includes(key)) {
      throw new InputError(`partition folder "${seg}" names no sales column; valid: ${COLUMN_NAMES.join(', ')}`, {
        file,
        step: 'open source',
      });
    }
    // The inverse of to-parquet's escaping (Hive's rules: %XX per character, __HIVE_DEFAULT_PARTITION__ for '').
    parts[key as ColumnName] = unescapePartitionValue(seg.slice(eq + 1));
  }
  return parts;
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
  const mine =
    type === 'DATE'
      ? parseIsoDate(value)
      : type === 'NUMERIC'
        ? parseCents(value)
        : type === 'INT64'
          ? Number(value)
          : 0;
  const cmp = (v: Filter['values'][number]): number => {
    if (type === 'STRING') return value < v.text ? -1 : value > v.text ? 1 : 0;
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
