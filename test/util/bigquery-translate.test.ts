import { describe, expect, it } from 'vitest';
import { splitStatements } from './bigquery-server/statement-type.ts';
import { translateBigQuerySql } from './bigquery-server/translate.ts';
import { paramNames, rewriteParams } from '../../warehouse/sql-lexer.ts';

describe('BigQuery → DuckDB translation', () => {
  it('maps backticked paths to schema.table and leaves strings and comments alone', () => {
    expect(translateBigQuerySql('SELECT * FROM `proj-1.ds.t` JOIN `ds.u` USING (id) -- `x.y.z` @p')).toBe(
      'SELECT * FROM "ds"."t" JOIN "ds"."u" USING (id) -- `x.y.z` @p',
    );
    expect(translateBigQuerySql(`SELECT "it's", 'a\\'b', '@notaparam'`)).toBe(`SELECT 'it''s', 'a''b', '@notaparam'`);
  });

  it('casts @params to their declared types', () => {
    expect(
      translateBigQuerySql('SELECT * FROM t WHERE d >= @start AND n = @n', { paramTypes: { start: 'DATE' } }),
    ).toBe('SELECT * FROM t WHERE d >= CAST($start AS DATE) AND n = $n');
  });

  it('translates functions and types the project uses', () => {
    expect(
      translateBigQuerySql('SELECT SAFE_CAST(x AS INT64), DIV(a, b), CAST(y AS NUMERIC), CAST(z AS FLOAT64)'),
    ).toBe('SELECT TRY_CAST(x AS BIGINT), divide(a, b), CAST(y AS DECIMAL(38, 9)), CAST(z AS DOUBLE)');
    expect(translateBigQuerySql("SELECT NUMERIC '0.01', DATE_TRUNC(d, MONTH), DATE_ADD(d, INTERVAL 3 DAY)")).toBe(
      "SELECT CAST('0.01' AS DECIMAL(38, 9)), CAST(date_trunc('month', d) AS DATE), CAST((d) + INTERVAL 3 DAY AS DATE)",
    );
    expect(translateBigQuerySql('MERGE t T USING s S ON T.id = S.id')).toBe('MERGE INTO t T USING s S ON T.id = S.id');
  });

  it('replaces every regex match, splits strings and names the column of UNNEST … AS x', () => {
    expect(translateBigQuerySql("SELECT REGEXP_REPLACE(r, 'a+', '')")).toBe("SELECT regexp_replace(r, 'a+', '', 'g')");
    expect(translateBigQuerySql("SELECT x FROM t, UNNEST(SPLIT(r, '; ')) AS x WHERE x <> ''")).toBe(
      "SELECT x FROM t, unnest(string_split(r, '; ')) AS x(x) WHERE x <> ''",
    );
  });

  it('drops PARTITION BY / CLUSTER BY / OPTIONS from DDL but not window PARTITION BY', () => {
    expect(
      translateBigQuerySql(
        'CREATE TABLE `p.ds.t` (d DATE, r STRING) PARTITION BY d CLUSTER BY r OPTIONS (description = "x")',
      ).trim(),
    ).toBe('CREATE TABLE "ds"."t" (d DATE, r VARCHAR)');
    expect(translateBigQuerySql('SELECT ROW_NUMBER() OVER (PARTITION BY r ORDER BY d) FROM t')).toBe(
      'SELECT ROW_NUMBER() OVER (PARTITION BY r ORDER BY d) FROM t',
    );
  });
});

describe('SQL lexer', () => {
  it('finds parameters outside strings, comments and quoted names', () => {
    expect(paramNames("SELECT @a, '@b', `@c`, @a /* @d */ FROM t WHERE x = @e")).toEqual(['a', 'e']);
    expect(rewriteParams('SELECT @a', (n) => `$${n}`)).toBe('SELECT $a');
  });

  it('splits scripts on top-level semicolons only', () => {
    expect(splitStatements("BEGIN; SELECT ';'; -- ;\nCOMMIT;")).toEqual(['BEGIN', "SELECT ';'", '-- ;\nCOMMIT']);
  });
});
