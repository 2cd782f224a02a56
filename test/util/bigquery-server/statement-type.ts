/**
 * BigQuery's `statistics.query.statementType` for a query, as a dry run reports
 * it: SELECT, INSERT, DELETE, MERGE, CREATE_TABLE_AS_SELECT, DROP_VIEW, SCRIPT,
 * EXPORT_DATA, … DuckDB parses and binds the translated statement (so a dry run
 * refuses bad SQL and unknown tables as BigQuery does); the statements DuckDB
 * has no counterpart for are named by their keywords.
 */
import { type DuckDBConnection, StatementType } from '@duckdb/node-api';
import { tokenize } from '../../../warehouse/sql-lexer.ts';

/** Split a script on top-level semicolons; empty statements are dropped. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const t of tokenize(sql)) {
    if (t.kind === 'punct' && t.text === ';') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += t.text;
  }
  if (cur.trim() && tokenize(cur).some((t) => t.kind !== 'space' && t.kind !== 'comment')) out.push(cur.trim());
  return out;
}

/** The leading keywords of a statement, upper-cased. */
function keywords(sql: string, n: number): string[] {
  return tokenize(sql)
    .filter((t) => t.kind === 'word')
    .slice(0, n)
    .map((t) => t.text.toUpperCase());
}

/** BigQuery statements DuckDB cannot parse: named by their first words. */
function bigqueryOnly(words: readonly string[]): string | undefined {
  const [a, b] = words;
  if (a === 'EXPORT' && b === 'DATA') return 'EXPORT_DATA';
  if (a === 'LOAD' && b === 'DATA') return 'LOAD_DATA';
  if (a === 'CALL') return 'CALL';
  if (a === 'TRUNCATE') return 'TRUNCATE_TABLE';
  if (a === 'CREATE' && objectWord(words) === 'EXTERNAL') return 'CREATE_EXTERNAL_TABLE';
  if (['DECLARE', 'BEGIN', 'IF', 'LOOP', 'WHILE', 'SET', 'EXECUTE', 'RAISE'].includes(a ?? '')) return 'SCRIPT';
  return undefined;
}

/** CREATE [OR REPLACE] [TEMP|TEMPORARY] <object> …: the object word. */
function objectWord(words: readonly string[]): string | undefined {
  return words.slice(1).find((w) => !['OR', 'REPLACE', 'TEMP', 'TEMPORARY'].includes(w));
}

function fromDuckdb(type: StatementType, words: readonly string[]): string {
  const object = objectWord(words);
  switch (type) {
    case StatementType.SELECT:
      return 'SELECT';
    case StatementType.INSERT:
      return 'INSERT';
    case StatementType.UPDATE:
      return 'UPDATE';
    case StatementType.DELETE:
      return 'DELETE';
    case StatementType.MERGE_INTO:
      return 'MERGE';
    case StatementType.CREATE:
      if (object === 'VIEW') return 'CREATE_VIEW';
      if (object === 'SCHEMA') return 'CREATE_SCHEMA';
      if (object === 'FUNCTION' || object === 'MACRO') return 'CREATE_FUNCTION';
      return words.includes('AS') ? 'CREATE_TABLE_AS_SELECT' : 'CREATE_TABLE';
    case StatementType.DROP:
      return object === 'VIEW' ? 'DROP_VIEW' : object === 'SCHEMA' ? 'DROP_SCHEMA' : 'DROP_TABLE';
    case StatementType.ALTER:
      return object === 'VIEW' ? 'ALTER_VIEW' : 'ALTER_TABLE';
    default:
      return StatementType[type] ?? 'UNKNOWN';
  }
}

/**
 * The statement type of `bigquerySql`; `translated` is its DuckDB translation,
 * prepared on `conn` (whose schema is the default dataset) to check it. Throws
 * DuckDB's error for SQL it cannot bind.
 */
export async function statementTypeOf(
  conn: DuckDBConnection,
  bigquerySql: string,
  translated: string,
): Promise<string> {
  if (splitStatements(bigquerySql).length > 1) return 'SCRIPT';
  const words = keywords(bigquerySql, 12);
  const special = bigqueryOnly(words);
  if (special) return special;
  const extracted = await conn.extractStatements(translated);
  if (extracted.count !== 1) return 'SCRIPT';
  const prepared = await extracted.prepare(0);
  try {
    return fromDuckdb(prepared.statementType, words);
  } finally {
    prepared.destroySync();
  }
}
