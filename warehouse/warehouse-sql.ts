/** Each dialect's SQL pieces (WarehouseSql), for statements callers write themselves. */
import { duckdbString } from '../shared/duckdb-quote.ts';
import { bigqueryString } from '../shared/bigquery-quote.ts';
import { currentTimestampSql } from './merge.ts';
import { type Dialect, transactionScript, type WarehouseSql } from './warehouse.ts';

const REGEXP_CONTAINS: Record<Dialect, string> = { duckdb: 'regexp_matches', bigquery: 'REGEXP_CONTAINS' };

export function warehouseSql(dialect: Dialect): WarehouseSql {
  return Object.freeze({
    now: () => currentTimestampSql(dialect),
    transaction: (statements: readonly string[]) => transactionScript(dialect, statements),
    regexpContains: (text: string, pattern: string) => `${REGEXP_CONTAINS[dialect]}(${text}, ${pattern})`,
    string: dialect === 'bigquery' ? bigqueryString : duckdbString,
  });
}
