import { describe, expect, it } from 'vitest';
import { duckdbGroupingSetsSql, duckdbParquetFrom, duckdbQuerySql } from '../../aggregate/engines/duckdb-sql.ts';
import {
  bigqueryFromClause,
  bigqueryQuerySql,
  decimalTextToCents,
  externalTableDefinition,
  parseBigQuerySource,
} from '../../aggregate/engines/bigquery-sql.ts';
import { buildQueries } from '../../aggregate/query.ts';

const monthly = buildQueries({
  by: ['region', 'date:month'],
  metrics: 'sum',
  where: ["category=Books|Kids' Toys", 'date>=2024-01-01', 'amount>10.5', 'customer!=7'],
})[0];

describe('DuckDB SQL', () => {
  it('groups by VARCHAR labels, keeps DECIMAL sums, escapes literals', () => {
    expect(duckdbQuerySql(monthly, 'src')).toBe(
      `SELECT CAST("sales_region" AS VARCHAR) AS k0, strftime("transaction_date", '%Y-%m') AS k1, ` +
        'COUNT(*) AS n, SUM(sale_amount) AS s\n' +
        'FROM src\n' +
        `WHERE "product_category" IN ('Books', 'Kids'' Toys')\n` +
        `  AND "transaction_date" >= DATE '2024-01-01'\n` +
        '  AND "sale_amount" > CAST(10.50 AS DECIMAL(12, 2))\n' +
        '  AND "customer_id" <> CAST(7 AS BIGINT)\n' +
        'GROUP BY 1, 2',
    );
  });

  it('answers reports with one filter in one scan, telling rows apart by GROUPING()', () => {
    const qs = [
      ...buildQueries({ by: ['category'], metrics: 'sum', where: ['region=North'] }),
      ...buildQueries({ by: ['region', 'category'], metrics: 'max', where: ['region=North'] }),
    ];
    const plan = duckdbGroupingSetsSql(qs, 'src');
    const cat = 'CAST("product_category" AS VARCHAR)';
    const reg = 'CAST("sales_region" AS VARCHAR)';
    expect(plan.sql).toBe(
      `SELECT ${cat} AS k0, ${reg} AS k1, GROUPING(${cat}, ${reg}) AS gid, COUNT(*) AS n, SUM(sale_amount) AS s, ` +
        'MIN(sale_amount) AS lo, MAX(sale_amount) AS hi\n' +
        'FROM src\n' +
        `WHERE "sales_region" = 'North'\n` +
        `GROUP BY GROUPING SETS ((${cat}), (${reg}, ${cat}))`,
    );
    expect(plan.keyColumns).toEqual([[0], [1, 0]]);
    // k1 (the lower bit) not grouped for the first report; both grouped for the second.
    expect(plan.masks).toEqual([1, 0]);
  });

  it('types hive partition columns from the schema', () => {
    expect(duckdbParquetFrom([{ path: "/l/sales_region=North/a'.parquet", partitions: {} }], ['sales_region'])).toBe(
      `read_parquet(['/l/sales_region=North/a''.parquet'], hive_partitioning = true, hive_types = {'sales_region': 'VARCHAR'})`,
    );
  });
});

describe('BigQuery SQL', () => {
  it('casts exact NUMERIC results to STRING and never averages in SQL', () => {
    const sql = bigqueryQuerySql(monthly, '`p.d.sales`');
    expect(sql).toBe(
      'SELECT CAST(`sales_region` AS STRING) AS k0, SUBSTR(CAST(`transaction_date` AS STRING), 1, 7) AS k1, COUNT(*) AS n, ' +
        'CAST(SUM(sale_amount) AS STRING) AS s\n' +
        'FROM `p.d.sales`\n' +
        "WHERE `product_category` IN ('Books', 'Kids\\' Toys')\n" +
        "  AND `transaction_date` >= DATE '2024-01-01'\n" +
        "  AND `sale_amount` > NUMERIC '10.50'\n" +
        '  AND `customer_id` != 7\n' +
        'GROUP BY 1, 2',
    );
    expect(sql).not.toMatch(/AVG|MIN|MAX/);
    const [withMin] = buildQueries({ by: ['region'], metrics: 'min' });
    expect(bigqueryQuerySql(withMin, 't')).toMatch(
      /CAST\(MIN\(sale_amount\) AS STRING\) AS lo, CAST\(MAX\(sale_amount\) AS STRING\) AS hi/,
    );
  });

  it('labels ISO weeks by their Monday, like the other engines', () => {
    const [q] = buildQueries({ by: ['date:week'], metrics: 'count' });
    expect(bigqueryQuerySql(q, 't')).toMatch(/CAST\(DATE_TRUNC\(`transaction_date`, ISOWEEK\) AS STRING\) AS k0/);
  });

  it('reads tables and gs:// lakes', () => {
    expect(parseBigQuerySource('analytics.sales')).toEqual({
      kind: 'table',
      projectId: undefined,
      datasetId: 'analytics',
      tableId: 'sales',
    });
    const t = parseBigQuerySource('my-proj.analytics.sales');
    expect(bigqueryFromClause(t, 'other')).toBe('`my-proj.analytics.sales`');
    expect(bigqueryFromClause(parseBigQuerySource('analytics.sales'), 'dflt')).toBe('`dflt.analytics.sales`');
    const ext = parseBigQuerySource('gs://bucket-1/lake');
    expect(externalTableDefinition(ext as Extract<typeof ext, { kind: 'external' }>)).toEqual({
      salesflow_lake: {
        sourceFormat: 'PARQUET',
        sourceUris: ['gs://bucket-1/lake/*'],
        hivePartitioningOptions: { mode: 'AUTO', sourceUriPrefix: 'gs://bucket-1/lake/' },
      },
    });
    expect(() => parseBigQuerySource('sales')).toThrow(/not a BigQuery table/);
    expect(() => parseBigQuerySource('a.b; DROP TABLE x')).toThrow(/not a BigQuery table/);
  });

  it('turns NUMERIC text into cents exactly and refuses fractions of a cent', () => {
    expect(decimalTextToCents('1234.5')).toBe(123450n);
    expect(decimalTextToCents('12')).toBe(1200n);
    expect(decimalTextToCents('-0.07')).toBe(-7n);
    expect(decimalTextToCents('99999999999999999999.990000000')).toBe(9999999999999999999999n);
    expect(() => decimalTextToCents('1.005')).toThrow(/fractions of a cent/);
    expect(() => decimalTextToCents('1e5')).toThrow(/not a decimal/);
  });
});
