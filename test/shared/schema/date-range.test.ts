/**
 * One date codec and one accepted range (the schema's DATE_RANGE), the same
 * verdict on every path: the text validator, to-parquet's byte-level fast path
 * (CSV) and NDJSON, the SQL validation of pushed-down Parquet (both dialects),
 * aggregate --where values and gen's date flags.
 */
import { describe, expect, it } from 'vitest';
import { parseWhere } from '../../../aggregate/query.ts';
import { resolveGenOptions } from '../../../generator/options.ts';
import { validPredicate } from '../../../pipelines/batch/validation-sql.ts';
import { formatEpochDay, parseIsoDate } from '../../../shared/dates.ts';
import { UsageError } from '../../../shared/errors.ts';
import { DATE_RANGE, DEFAULT_DOMAINS, RecordValidator } from '../../../shared/schema/index.ts';
import { ChunkParser, type InputFormat } from '../../../transform/row-parser.ts';
import { DuckDBWarehouse } from '../../../warehouse/index.ts';
import { translateBigQuerySql } from '../../util/bigquery-server/translate.ts';
import { warehouseSql } from '../../../warehouse/warehouse-sql.ts';

const DATES = [
  '0001-01-01',
  '0050-06-15',
  '0099-12-31',
  '0999-12-31',
  '1899-12-31',
  DATE_RANGE.min,
  '1999-12-31',
  '2024-02-29',
  DATE_RANGE.max,
  '3000-01-01',
  '9999-12-31',
];
const inRange = (d: string) => d >= DATE_RANGE.min && d <= DATE_RANGE.max;

/** The day each path accepted the date as, or undefined when it refused it. */
function parsed(format: InputFormat, line: string): number | undefined {
  let day: number | undefined;
  new ChunkParser(DEFAULT_DOMAINS, format).parse(new TextEncoder().encode(`${line}\n`), {
    row: (_b, _s, _e, _c, d) => {
      day = d;
    },
    reject: () => {},
  });
  return day;
}

describe('dates: one codec, one range, one verdict', () => {
  it('the validator, the CSV fast path and NDJSON accept exactly the range, as the same day', () => {
    const validator = new RecordValidator();
    for (const date of DATES) {
      const want = inRange(date) ? parseIsoDate(date) : undefined;
      const v = validator.validateValues('TX-1', '7', date, '1.00', 'Books', 'North');
      expect(v.ok, date).toBe(inRange(date));
      if (v.ok) expect(v.record.transaction_date).toBe(date);
      expect(parsed('csv', `TX-1,7,${date},1.00,Books,North`), date).toBe(want);
      expect(parsed('csv', `"TX-1",7,${date},1.00,Books,North`), `${date} (quoted: validator path)`).toBe(want);
      const json = JSON.stringify({
        id: 'TX-1',
        customer: 7,
        date,
        amount: '1.00',
        category: 'Books',
        region: 'North',
      });
      expect(parsed('ndjson', json), date).toBe(want);
      if (want !== undefined) expect(formatEpochDay(want)).toBe(date);
    }
  });

  it('gen --start-date/--end-date and aggregate --where take the same dates and refuse the rest', () => {
    for (const date of DATES) {
      if (inRange(date)) {
        expect(resolveGenOptions({ startDate: date, endDate: DATE_RANGE.max }).startDay, date).toBe(parseIsoDate(date));
        expect(parseWhere(`date>=${date}`).values[0].num, date).toBe(parseIsoDate(date));
      } else {
        expect(() => resolveGenOptions({ startDate: date, endDate: date }), date).toThrow(UsageError);
        expect(() => parseWhere(`date>=${date}`), date).toThrow(/outside 1900-01-01\.\.2999-12-31/);
      }
    }
  });

  it('the push-down SQL checks accept exactly the range (DuckDB and the BigQuery dialect)', async () => {
    const w = await DuckDBWarehouse.open(':memory:');
    try {
      const rows = `(VALUES ${DATES.map((d, i) => `(${i}, DATE '${d}')`).join(', ')}) t(i, transaction_date)`;
      const cols = `'TX-1' AS transaction_id, 7 AS customer_id, transaction_date, CAST(1 AS DECIMAL(12, 2)) AS sale_amount, 'Books' AS product_category, 'North' AS sales_region`;
      const data = `(SELECT i, ${cols} FROM ${rows})`;
      const duck = await w.query(`SELECT ${validPredicate(w.sql)} AS ok FROM ${data} ORDER BY i`);
      expect(duck.rows.map((r) => r.ok)).toEqual(DATES.map(inRange));
      const bq = await w.query(
        translateBigQuerySql(
          `SELECT ${validPredicate(warehouseSql('bigquery'))} AS ok FROM ${data.replace('DECIMAL(12, 2)', 'NUMERIC')} ORDER BY i`,
        ),
      );
      expect(bq.rows.map((r) => r.ok)).toEqual(DATES.map(inRange));
    } finally {
      await w.close();
    }
  });
});
