/** The batch pipeline's small pure pieces: file classification, hive values, locations, intervals, SQL checks. */
import { describe, expect, it } from 'vitest';
import { classifyKey, landingPartitions } from '../../../pipelines/batch/landing-file.ts';
import { defaultRejectedLocation } from '../../../pipelines/batch/run-batch.ts';
import { reasonsExpression, validPredicate } from '../../../pipelines/batch/validation-sql.ts';
import { parseInterval } from '../../../shared/interval.ts';
import { UsageError } from '../../../shared/errors.ts';
import { DuckDBWarehouse } from '../../../warehouse/index.ts';
import { warehouseSql } from '../../../warehouse/warehouse-sql.ts';
import { translateBigQuerySql } from '../../util/bigquery-server/translate.ts';

describe('pipeline batch building blocks', () => {
  it('classifies landing keys by extension and skips bookkeeping files', () => {
    expect(classifyKey('a/b/sales.csv')).toEqual({ format: 'csv', gzip: false });
    expect(classifyKey('sales.CSV.gz')).toEqual({ format: 'csv', gzip: true });
    expect(classifyKey('x.jsonl')).toEqual({ format: 'ndjson', gzip: false });
    expect(classifyKey('x.ndjson.gz')).toEqual({ format: 'ndjson', gzip: true });
    expect(classifyKey('lake/sales_region=North/part-00000.parquet')).toEqual({ format: 'parquet', gzip: false });
    for (const k of ['lake/_SUCCESS', 'lake/_manifest.json', 'a/.part-1.csv', 'notes.txt', 'x.csv.zip']) {
      expect(classifyKey(k), k).toBeUndefined();
    }
  });

  it('reads sales columns from hive folders (unescaped); other folders inside a lake put a file outside it', () => {
    const none = () => undefined;
    expect(landingPartitions('sales_region=North/product_category=Home %26 Garden/part-0.parquet', none)).toEqual({
      values: { sales_region: 'North', product_category: 'Home & Garden' },
    });
    expect(landingPartitions('day=1/region=North/x.parquet', none)).toEqual({ values: {} });
    expect(landingPartitions('sales_region=East.parquet', none)).toEqual({ values: {} });
    expect(landingPartitions('in/2024/lake/sales_region=East/x.parquet', none)).toEqual({
      values: { sales_region: 'East' },
    });
    expect(landingPartitions('lake/sales_region=East/backup/x.parquet', none)).toEqual({
      outside: 'folder "backup" is not a partition folder (column=value) below sales_region=…',
    });
    expect(landingPartitions('lake/sales_region=East/day=2/x.parquet', none)).toMatchObject({
      outside: expect.stringMatching(/"day=2" names no sales column/),
    });
    // A lake that says its layout: every file below it follows it, in its order.
    const lake = (f: string) => (f === 'lake' ? (['sales_region', 'product_category'] as const) : undefined);
    expect(landingPartitions('lake/sales_region=E/product_category=B/x.parquet', lake)).toMatchObject({
      values: { sales_region: 'E', product_category: 'B' },
    });
    for (const key of [
      'lake/copy/sales_region=E/product_category=B/x.parquet',
      'lake/product_category=B/sales_region=E/x.parquet',
      'lake/sales_region=E/x.parquet',
      'lake/stray.parquet',
    ]) {
      expect(landingPartitions(key, lake), key).toHaveProperty('outside');
    }
  });

  it('puts rejected/ next to the landing area, or inside a bucket root', () => {
    expect(defaultRejectedLocation('gs://b/landing/')).toBe('gs://b/rejected');
    expect(defaultRejectedLocation('gs://b/data/landing')).toBe('gs://b/data/rejected');
    expect(defaultRejectedLocation('gs://b')).toBe('gs://b/_rejected');
    expect(defaultRejectedLocation('/srv/landing')).toBe('/srv/rejected');
    expect(defaultRejectedLocation('landing')).toBe('landing/_rejected');
  });

  it('parses --watch intervals and refuses nonsense', () => {
    expect(parseInterval('60s')).toBe(60_000);
    expect(parseInterval('5m')).toBe(300_000);
    expect(parseInterval('1h')).toBe(3_600_000);
    expect(parseInterval('90')).toBe(90_000);
    for (const bad of ['0s', '10ms', 'soon', '-5m', '']) expect(() => parseInterval(bad), bad).toThrow(UsageError);
  });

  it('the SQL checks agree with the validator on typical bad values (DuckDB)', async () => {
    const w = await DuckDBWarehouse.open(':memory:');
    try {
      const rows = `(VALUES
        ('TX-1', 5, DATE '2024-01-01', CAST(1.50 AS DECIMAL(12, 2)), 'Books', 'North'),
        ('', 5, DATE '2024-01-01', CAST(1.50 AS DECIMAL(12, 2)), 'Books', 'North'),
        ('TX-3', 0, DATE '1800-01-01', CAST(0 AS DECIMAL(12, 2)), 'Gadgets', NULL),
        ('TX 4!', 5, DATE '2024-01-01', CAST(1.50 AS DECIMAL(12, 2)), 'Books', 'North')
      ) t(transaction_id, customer_id, transaction_date, sale_amount, product_category, sales_region)`;
      const r = await w.query(
        `SELECT transaction_id, ${validPredicate(w.sql)} AS ok, ${reasonsExpression(w.sql)} AS why FROM ${rows}`,
      );
      expect(r.rows[0]).toEqual({ transaction_id: 'TX-1', ok: true, why: '' });
      expect(r.rows[1]).toMatchObject({ ok: false, why: expect.stringMatching(/^transaction_id: is missing, empty/) });
      expect(r.rows[2].ok).toBe(false);
      expect(
        String(r.rows[2].why)
          .split('; ')
          .map((s) => s.split(':')[0]),
      ).toEqual(['customer_id', 'transaction_date', 'sale_amount', 'product_category', 'sales_region']);
      // The id character set is checked too, like RecordValidator does.
      expect(r.rows[3]).toMatchObject({ ok: false, why: expect.stringContaining('characters other than') });
      // The BigQuery dialect's predicate (REGEXP_CONTAINS), run through the test server's translator, agrees.
      const bq = await w.query(
        translateBigQuerySql(
          `SELECT transaction_id, ${validPredicate(warehouseSql('bigquery'))} AS ok FROM ${rows.replaceAll('DECIMAL', 'NUMERIC')}`,
        ),
      );
      expect(bq.rows.map((x) => x.ok)).toEqual(r.rows.map((x) => x.ok));
    } finally {
      await w.close();
    }
  });
});
