/**
 * Hive-style partition folder names (`sales_region=North`). Values are escaped
 * the way Hive's FileUtils.escapePathName (and Spark) do it — `%XX` for path
 * separators, control characters and a few specials — so no value can leave
 * OUTDIR: "/" and "\" become %2F/%5C, and because every folder name starts with
 * `column=`, a value of ".." yields the harmless name `sales_region=..`.
 */

/** Hive's name for an empty (or null) partition value. */
export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

// Hive's charToEscape set, plus NUL (which no file system accepts in a name).
const SPECIAL = new Set(['"', '#', '%', "'", '*', '/', ':', '=', '?', '\\', '\u007f', '{', '[', ']', '^']);

function needsEscape(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return code < 0x20 || SPECIAL.has(ch);
}

/** Escape one partition value for use in a folder name. */
export function escapePartitionValue(value: string): string {
  if (value.length === 0) return HIVE_DEFAULT_PARTITION;
  let out = '';
  for (const ch of value) {
    out += needsEscape(ch) ? `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : ch;
  }
  return out;
}

/** Inverse of escapePartitionValue (what readers do when restoring the column). */
export function unescapePartitionValue(name: string): string {
  if (name === HIVE_DEFAULT_PARTITION) return '';
  return name.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** `sales_region=North/product_category=Home & Garden` for the given columns and values. */
export function partitionPath(columns: readonly string[], values: readonly string[]): string {
  return columns.map((c, i) => `${c}=${escapePartitionValue(values[i])}`).join('/');
}
