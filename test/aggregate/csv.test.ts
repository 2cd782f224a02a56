/**
 * aggregate on a CSV file gives the validator's verdict, not DuckDB's guesses:
 * the text predicate accepts exactly the rows RecordValidator accepts, and a
 * file with a bad row is refused naming its lines (no ' 7' read as 7, no
 * '99-1-5' read as 0099-01-05, no 12.345 rounded to 12.35).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { textRowValidSql } from '../../aggregate/engines/csv-validation-sql.ts';
import { finishReport } from '../../aggregate/groups.ts';
import { buildQueries } from '../../aggregate/query.ts';
import { aggregate } from '../../aggregate/run.ts';
import { InputError } from '../../shared/errors.ts';
import { COLUMN_NAMES, CSV_HEADER, DEFAULT_DOMAINS, RecordValidator } from '../../shared/schema/index.ts';
import { splitCsvLine } from '../../transform/row-parser.ts';
import { queryMemoryDuckDB } from '../util/duckdb.ts';
import { generateSales, salesCsv } from '../util/sales-lake.ts';
import { oracleGroups } from '../util/sales-oracle.ts';
import { mutatedLines, rowLine, sampleRows } from '../util/sales-csv.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-aggregate-csv-');

it('the text predicate gives the validator verdict on every rule', async () => {
  const validator = new RecordValidator();
  const cases = [...mutatedLines(), ...sampleRows(50, 3).map(rowLine)]
    .map((line) => splitCsvLine(line))
    .filter((f): f is string[] => Array.isArray(f) && f.length === COLUMN_NAMES.length);
  // As read_csv hands them over: an empty field is NULL.
  const lit = (v: string) => (v === '' ? 'NULL' : `'${v.replaceAll("'", "''")}'`);
  const values = cases.map((f, i) => `(${i}, ${f.map(lit).join(', ')})`).join(',\n');
  const rows = await queryMemoryDuckDB(
    `SELECT i, ${textRowValidSql(DEFAULT_DOMAINS)} AS ok FROM (VALUES ${values}) t(i, ${COLUMN_NAMES.join(', ')}) ORDER BY i`,
  );
  const want = cases.map((f) => validator.validateFields(f).ok);
  expect(rows.map((r) => r.ok)).toEqual(want);
  expect(want.filter(Boolean).length).toBeGreaterThan(50);
  expect(want.filter((x) => !x).length).toBeGreaterThan(40);
});

it('aggregates a valid CSV like its records, and refuses one with bad rows naming them', async () => {
  const records = generateSales(500, 4);
  const good = join(tmp(), 'good.csv');
  writeFileSync(good, salesCsv(records));
  const queries = buildQueries({ by: ['customer', 'date:month'], metrics: 'sum,count' });
  const got = await aggregate({ source: good, queries });
  expect(got.reports[0]).toEqual(finishReport(queries[0], oracleGroups(records, queries[0])));

  const bad = join(tmp(), 'bad.csv');
  const lines = salesCsv(records).trimEnd().split('\n');
  lines[10] = 'TX-a, 7,2024-01-05,1.00,Books,North';
  lines[20] = 'TX-b,7,99-1-5,1.00,Books,North';
  lines[30] = 'TX-c,7,2024-01-05,12.345,Books,North';
  writeFileSync(bad, `${lines.join('\n')}\n`);
  const err = await aggregate({ source: bad, queries }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(InputError);
  const message = String((err as Error).message);
  expect(message).toMatch(/^3 rows are not valid sales rows/);
  expect(message).toContain(`${bad}:11: customer_id " 7" is not a whole number`);
  expect(message).toContain(`${bad}:21: transaction_date "99-1-5" is not a valid date`);
  expect(message).toContain(`${bad}:31: sale_amount "12.345" is not a decimal number with at most 2 decimals`);

  const header = join(tmp(), 'header.csv');
  writeFileSync(header, `${CSV_HEADER.replace('sale_amount', 'amount_usd')}\n${lines.slice(1, 5).join('\n')}\n`);
  await expect(aggregate({ source: header, queries })).rejects.toThrow(/header does not match the sales schema/);
});
