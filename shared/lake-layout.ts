/**
 * What a hive-partitioned lake's layout defines as data, for every reader of a
 * lake (aggregate's engines, the batch pipeline's listing): files under
 * `column=value/` folders, one per partition column, in the lake's order (its
 * `_manifest.json`'s partitionBy when there is one). Any other folder in the
 * way — a `backup/` copy inside a partition, a nested copy of the lake — is not
 * part of the lake, so its files are never read as data (they would be counted
 * twice).
 */
import { InputError } from './errors.ts';
import { escapePartitionValue, unescapePartitionValue } from './hive-path.ts';
import { type ColumnName, lookupColumn } from './schema/columns.ts';
import { typedValueProblem } from './schema/validate.ts';
import { quoteForMessage } from './format.ts';

/** A name the layout never reads: hidden (temp siblings) or `_`-prefixed (`_SUCCESS`, `_rejects/`). */
export function isBookkeepingName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_');
}

/** `sales_region=North` → the column and its (unescaped) value; undefined for any other folder name. */
export function parseHiveFolder(name: string): { column: ColumnName; value: string } | undefined {
  const eq = name.indexOf('=');
  if (eq <= 0) return undefined;
  const key = name.slice(0, eq);
  const column = lookupColumn(key);
  // Exactly a column name (as written by to-parquet, Spark, DuckDB), not an alias.
  if (column === undefined || column !== key) return undefined;
  return { column, value: unescapePartitionValue(name.slice(eq + 1)) };
}

export interface PathPartitions {
  /** Partition columns in folder order. */
  columns: ColumnName[];
  values: Partial<Record<ColumnName, string>>;
}

/**
 * The partitions given by the folders between a lake's root and one of its
 * files, or why the file is outside the layout. `lead` is the number of leading
 * folders that are not the lake's (a landing area's own sub-folders above a
 * lake); after the first partition folder, every folder must be one.
 */
export function pathPartitions(folders: readonly string[], lead = 0): PathPartitions | { outside: string } {
  const out: PathPartitions = { columns: [], values: {} };
  for (const [i, name] of folders.entries()) {
    if (i < lead) continue;
    const hive = parseHiveFolder(name);
    if (hive === undefined) {
      const what = name.includes('=') ? 'names no sales column' : 'is not a partition folder (column=value)';
      const below = out.columns.length > 0 ? ` below ${out.columns.map((c) => `${c}=…`).join('/')}` : '';
      return { outside: `folder "${name}" ${what}${below}` };
    }
    if (hive.column in out.values) return { outside: `${hive.column} is a partition folder twice on its path` };
    out.columns.push(hive.column);
    out.values[hive.column] = hive.value;
  }
  return out;
}

/**
 * Why a file's partition folders hold a value its column cannot have (the
 * validator's verdict: `transaction_date=2024-1-6`, a date out of range, a
 * `customer_id=7.9`), or undefined. One value stands for every row of the
 * file, so every reader of a lake refuses the file rather than reading a value
 * no row could carry.
 */
export function partitionValuesProblem(values: PathPartitions['values']): string | undefined {
  for (const [column, value] of Object.entries(values) as [ColumnName, string][]) {
    const reason = typedValueProblem(column, value);
    if (reason !== null)
      return `folder ${column}=${escapePartitionValue(value)}: ${column} ${quoteForMessage(value)} ${reason}`;
  }
  return undefined;
}

/** Where a landing key's lake starts: the folders before its first partition folder (all of them if it has none). */
export function leadingFolders(folders: readonly string[]): number {
  const i = folders.findIndex((f) => parseHiveFolder(f) !== undefined);
  return i < 0 ? folders.length : i;
}

/** Why a file's partition columns differ from the lake's (`_manifest.json` partitionBy, in order), or undefined. */
export function partitionOrderProblem(columns: readonly string[], expected: readonly string[]): string | undefined {
  if (columns.length === expected.length && columns.every((c, i) => c === expected[i])) return undefined;
  const shown = (cs: readonly string[]) => (cs.length > 0 ? cs.map((c) => `${c}=…/`).join('') : 'no partition folders');
  return `its folders are ${shown(columns)}, the lake's layout is ${shown(expected)}`;
}

/** The partitionBy of a to-parquet `_manifest.json` (its text), or undefined when it names none. */
export function manifestPartitionBy(text: string): ColumnName[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const by = (parsed as { partitionBy?: unknown } | null)?.partitionBy;
  if (!Array.isArray(by) || !by.every((c) => typeof c === 'string' && lookupColumn(c) === c)) return undefined;
  return by as ColumnName[];
}

export interface LakeFiles<T> {
  /** The files the layout defines, with their partition values. */
  files: (T & { partitions: Partial<Record<ColumnName, string>> })[];
  partitionColumns: ColumnName[];
  /** Files outside the layout, never read, and why. */
  skipped: { file: T; reason: string }[];
}

/**
 * The data files of a lake rooted where `folders(file)` starts: those under its
 * partition folders, in its order — `_manifest.json`'s partitionBy when given,
 * else the order the files agree on (files that disagree with each other make
 * the lake ambiguous: an InputError naming two of them). A folder value the
 * validator refuses is an InputError naming the file (partitionValuesProblem).
 * `describe` names a file in messages.
 */
export function selectLakeFiles<T>(
  candidates: readonly T[],
  folders: (file: T) => readonly string[],
  describe: (file: T) => string,
  manifestColumns?: readonly ColumnName[],
): LakeFiles<T> {
  const out: LakeFiles<T> = { files: [], partitionColumns: [...(manifestColumns ?? [])], skipped: [] };
  let first: T | undefined;
  for (const file of candidates) {
    const pp = pathPartitions(folders(file));
    if ('outside' in pp) {
      out.skipped.push({ file, reason: pp.outside });
      continue;
    }
    if (manifestColumns !== undefined) {
      const problem = partitionOrderProblem(pp.columns, manifestColumns);
      if (problem !== undefined) {
        out.skipped.push({ file, reason: `${problem} (_manifest.json)` });
        continue;
      }
    } else if (first === undefined) {
      first = file;
      out.partitionColumns = pp.columns;
    } else {
      const problem = partitionOrderProblem(pp.columns, out.partitionColumns);
      if (problem !== undefined) {
        throw new InputError(
          `inconsistent partitioning: ${describe(file)} is under ${pp.columns.join(', ') || 'no partition folders'}, ` +
            `${describe(first)} under ${out.partitionColumns.join(', ') || 'no partition folders'}`,
          { file: describe(file), step: 'open source' },
        );
      }
    }
    const badValue = partitionValuesProblem(pp.values);
    if (badValue !== undefined) throw new InputError(badValue, { file: describe(file), step: 'open source' });
    out.files.push({ ...file, partitions: pp.values });
  }
  return out;
}
