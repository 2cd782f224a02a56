/**
 * Quoting for text spliced into DuckDB SQL where a parameter cannot go (file
 * paths in read_parquet, identifiers, SET values). Not for BigQuery: its string
 * literals use backslash escapes.
 */

/** A single-quoted DuckDB string literal. */
export function duckdbString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A double-quoted DuckDB identifier. */
export function duckdbIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
