/**
 * Quoting for text spliced into BigQuery Standard SQL where a parameter cannot
 * go (literal lists inside generated predicates). BigQuery string literals use
 * backslash escapes, not doubled quotes (see duckdb-quote.ts for DuckDB).
 */

/** A single-quoted BigQuery string literal. */
export function bigqueryString(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n')}'`;
}
