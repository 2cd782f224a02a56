/**
 * countDuckdbStatements against DuckDB's own split: the same count for every
 * SQL without a PIVOT (quotes, escapes, comments, dollar quotes), one for a
 * PIVOT that DuckDB turns into several.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { countDuckdbStatements } from '../../warehouse/duckdb-statements.ts';

/** DuckDB's count, or 'error' when it does not parse. */
async function duckdbCount(sql: string): Promise<number | 'error'> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return (await conn.extractStatements(sql)).count;
  } catch {
    return 'error';
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

const SAME_AS_DUCKDB = [
  'SELECT 1',
  'SELECT 1;',
  'SELECT 1; SELECT 2',
  ';;SELECT 1;;',
  "SELECT ';'",
  // A backslash is plain text in a standard string: the string ends at the second quote.
  "SELECT '\\'; SELECT 2; --'",
  "SELECT '\\\\'; SELECT 2",
  // … and escapes in an E'…' string, not in some_e'…'.
  "SELECT E'\\'; SELECT 2; --'",
  "SELECT e'a\\';b'",
  "SELECT E'\\\\'; SELECT 2",
  "SELECT 'it''s;'",
  "SELECT 'a'\n'b;'; SELECT 2",
  'SELECT "a;b" FROM (SELECT 1 AS "a;b")',
  'SELECT "x""y;" FROM (SELECT 1 AS "x""y;")',
  'SELECT $$;$$',
  'SELECT $t$ ; $$ ; $t$',
  'SELECT a$b$ FROM (SELECT 1 AS a$b$); SELECT 2',
  'SELECT $a ; SELECT 2',
  // Comments nest.
  'SELECT 1 /* a /* b */ ; SELECT 2 */',
  'SELECT 1 /**/; SELECT 2',
  'SELECT 1 -- ; SELECT 2\n; SELECT 3',
  'SELECT 1 --\n;',
  "SELECT x'41'; SELECT 2",
  'SELECT 1e3; SELECT 2',
  'SELECT 1; -- trailing ; comment\n/* and ; another */',
  'PREPARE p AS SELECT $1; EXECUTE p(1)',
];

describe('countDuckdbStatements', () => {
  it.each(SAME_AS_DUCKDB)('%j: as DuckDB counts', async (sql) => {
    expect(countDuckdbStatements(sql)).toBe(await duckdbCount(sql));
  });

  it.each([
    ['PIVOT silver_sales ON sales_region USING sum(sale_amount) GROUP BY product_category', 1],
    ['PIVOT silver_sales ON sales_region, product_category;', 1],
    ['SELECT * FROM (PIVOT silver_sales ON sales_region)', 1],
    ['PIVOT silver_sales ON sales_region; DROP TABLE x', 2],
    ['UNPIVOT silver_sales ON a, b INTO NAME k VALUE v', 1],
  ])('%j: %i', (sql, n) => {
    expect(countDuckdbStatements(sql)).toBe(n);
  });
});
