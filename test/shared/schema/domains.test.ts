/**
 * Domains are checked once, in the schema module, for everyone who takes them:
 * gen (flag and library), the readers (validator, parser, to-parquet, the batch
 * pipeline) and SALESFLOW_DOMAINS. A value that some path would trim, split,
 * fold or refuse never gets in; a value that every path carries (quotes,
 * commas, accents) does, and reads back as itself.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveGenOptions } from '../../../generator/options.ts';
import { reasonsExpression, validPredicate } from '../../../pipelines/batch/validation-sql.ts';
import { UsageError } from '../../../shared/errors.ts';
import { checkDomains, loadDomains, RecordValidator, type SalesDomains } from '../../../shared/schema/index.ts';
import { convertToParquet } from '../../../transform/convert.ts';
import { ChunkParser } from '../../../transform/row-parser.ts';
import { DuckDBWarehouse } from '../../../warehouse/index.ts';
import { translateBigQuerySql } from '../../util/bigquery-server/translate.ts';
import { warehouseSql } from '../../../warehouse/warehouse-sql.ts';
import { runSalesflow } from '../../util/cli.ts';
import { useTempDir } from '../../util/tmp.ts';

const tmp = useTempDir('salesflow-domains-');
const regions = (...values: unknown[]) => ({ categories: ['Books'], regions: values }) as unknown as SalesDomains;

const BAD: [unknown[], RegExp][] = [
  [['North', 'So\nuth'], /regions\[1\] "So\\nuth" contains a line break/],
  [['North', 'South\r'], /regions\[1\] "South\\r" contains a line break/],
  [['Tab\there'], /control character/],
  [[' North'], /regions\[0\] " North" has leading or trailing spaces/],
  [['North '], /leading or trailing spaces/],
  [['North', ''], /regions\[1\] "" is empty/],
  [['North', 'South', 'North'], /regions\[2\] "North" repeats "North"/],
  [['North', 'north'], /regions\[1\] "north" repeats "North" \(values may differ only in case\)/],
  [['x'.repeat(101)], /longer than 100 characters/],
  [['__HIVE_DEFAULT_PARTITION__'], /Hive's name for an empty partition/],
  [['bad\uD800'], /lone surrogate/],
  [['North', 'North\u200B'], /regions\[1\] .* contains an invisible formatting character \(U\+200B\)/],
  [['Nor\u202Eth'], /invisible formatting character \(U\+202E\)/],
  [
    ['North', '\uFF2E\uFF4F\uFF52\uFF54\uFF48'],
    /regions\[1\] .* repeats "North" \(values may not differ only in Unicode/,
  ],
  [['North', 7], /regions\[1\] 7 is number, not a string/],
  [[], /"regions" must be a non-empty array/],
];

describe('domains', () => {
  it('refuses values some reader would change or refuse, naming the key, index and problem', () => {
    for (const [values, message] of BAD) {
      expect(() => checkDomains(regions(...values)), JSON.stringify(values)).toThrow(message);
      expect(() => checkDomains(regions(...values)), JSON.stringify(values)).toThrow(UsageError);
    }
  });

  it('every taker checks: gen, the validator and parser, to-parquet, a domains file and SALESFLOW_DOMAINS', async () => {
    const bad = regions('North', ' South');
    expect(() => resolveGenOptions({ domains: bad })).toThrow(/--domains: regions\[1\] " South" has leading/);
    expect(() => new RecordValidator(bad)).toThrow(UsageError);
    expect(() => new ChunkParser(bad)).toThrow(UsageError);
    const csv = join(tmp(), 'in.csv');
    writeFileSync(csv, 'transaction_id,customer_id,transaction_date,sale_amount,product_category,sales_region\n');
    await expect(
      convertToParquet({ input: csv, outDir: join(tmp(), 'lake'), partitionBy: 'region', domains: bad }),
    ).rejects.toThrow(UsageError);

    const file = join(tmp(), 'bad.json');
    writeFileSync(file, JSON.stringify({ regions: ['North', 'South\n'] }));
    expect(() => loadDomains(file)).toThrow(/bad\.json: regions\[1\] "South\\n" contains a line break/);
    const saved = process.env.SALESFLOW_DOMAINS;
    process.env.SALESFLOW_DOMAINS = file;
    try {
      expect(() => loadDomains()).toThrow(/SALESFLOW_DOMAINS=.*bad\.json: regions\[1\]/);
    } finally {
      if (saved === undefined) delete process.env.SALESFLOW_DOMAINS;
      else process.env.SALESFLOW_DOMAINS = saved;
    }
    writeFileSync(join(tmp(), 'typo.json'), JSON.stringify({ region: ['North'] }));
    expect(() => loadDomains(join(tmp(), 'typo.json'))).toThrow(/unknown key "region"/);
  });

  it('refuses a key given twice (JSON.parse would keep the last list silently)', () => {
    writeFileSync(join(tmp(), 'twice.json'), '{"regions": ["North"], "regions": ["South"]}');
    expect(() => loadDomains(join(tmp(), 'twice.json'))).toThrow(/key "regions" appears twice/);
  });

  it('gen --domains with a bad value exits 2 naming the file and the value, and writes nothing', async () => {
    const file = join(tmp(), 'gen-bad.json');
    writeFileSync(file, JSON.stringify({ categories: ['Books', 'Toys '] }));
    const res = await runSalesflow(['gen', '-n', '10', '-o', join(tmp(), 'g.csv'), '--domains', file]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/gen-bad\.json: categories\[1\] "Toys " has leading or trailing spaces/);
  });

  it('values with quotes, commas and accents are accepted and are literals in the push-down SQL of both dialects', async () => {
    const odd: SalesDomains = { categories: ['Men\'s, "Big" & Tall', 'Café\\Bar'], regions: ['Süd', "O'Neil"] };
    expect(checkDomains(odd)).toBe(odd);
    const w = await DuckDBWarehouse.open(':memory:');
    try {
      const rows = `(VALUES ('TX-1', 5, DATE '2024-01-01', CAST(1.50 AS DECIMAL(12, 2)), 'Men''s, "Big" & Tall', 'O''Neil'),
        ('TX-2', 5, DATE '2024-01-01', CAST(1.50 AS DECIMAL(12, 2)), 'Café\\Bar', 'Nord'))
        t(transaction_id, customer_id, transaction_date, sale_amount, product_category, sales_region)`;
      const r = await w.query(
        `SELECT ${validPredicate(w.sql, odd)} AS ok, ${reasonsExpression(w.sql, odd)} AS why FROM ${rows}`,
      );
      expect(r.rows.map((x) => x.ok)).toEqual([true, false]);
      expect(r.rows[1].why).toBe(`sales_region: is missing or not one of: Süd, O'Neil`);
      const bigquery = warehouseSql('bigquery');
      const bq = await w.query(
        translateBigQuerySql(
          `SELECT ${validPredicate(bigquery, odd)} AS ok, ${reasonsExpression(bigquery, odd)} AS why FROM ${rows.replaceAll('DECIMAL', 'NUMERIC').replace("'Men''s", "'Men\\'s").replace("'O''Neil'", "'O\\'Neil'").replace("'Café\\Bar'", "'Café\\\\Bar'")}`,
        ),
      );
      expect(bq.rows).toEqual(r.rows);
    } finally {
      await w.close();
    }
  });
});
