/** Staging CSV bytes written from parsed values: exact values, quoting, line numbers. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { queryMemoryDuckDB } from '../../util/duckdb.ts';
import { describe, expect, it } from 'vitest';
import { StagingCsvWriter } from '../../../pipelines/batch/staging-csv-writer.ts';
import { parseIsoDate } from '../../../shared/dates.ts';
import { useTempDir } from '../../util/tmp.ts';

const tmp = useTempDir('salesflow-staging-csv-');

const domains = { categories: ['Books', 'Home, "Garden"'], regions: ['North', 'Süd'] };
const enc = new TextEncoder();

describe('StagingCsvWriter', () => {
  it('writes the staging columns in order, amounts with two decimals, line twice', () => {
    const w = new StagingCsvWriter(domains);
    const id = enc.encode('xxTX-1yy');
    w.row(id, 2, 6, 7, parseIsoDate('2024-02-29'), 5, 0, 0, 2);
    w.row(id, 2, 6, 123_456_789_012, parseIsoDate('1999-12-31'), 1_000, 1, 1, 1_234_567);
    w.row(id, 2, 6, 10, parseIsoDate('2000-01-01'), 9_999_999_999_99, 0, 1, 10);
    expect(w.rows).toBe(3);
    expect(new TextDecoder().decode(w.take())).toBe(
      'TX-1,7,2024-02-29,0.05,Books,North,2,2\n' +
        'TX-1,123456789012,1999-12-31,10.00,"Home, ""Garden""",Süd,1234567,1234567\n' +
        'TX-1,10,2000-01-01,9999999999.99,Books,Süd,10,10\n',
    );
    expect(w.rows).toBe(0);
    expect(w.take().length).toBe(0);
  });

  it('grows past its initial buffer without losing rows, and DuckDB reads it back exactly', async () => {
    const w = new StagingCsvWriter(domains);
    const id = enc.encode('TX-ABCDEF0123456789');
    const n = 60_000; // ~3 MB: more than the 1 MiB start
    let sumCents = 0;
    for (let i = 1; i <= n; i++) {
      w.row(id, 0, id.length, i, 19_000 + (i % 700), i * 7, i % 2, i % 2, i + 1);
      sumCents += i * 7;
    }
    const bytes = w.take();
    const path = join(tmp(), 'staging.csv');
    writeFileSync(path, bytes);
    const rows = await queryMemoryDuckDB(
      `SELECT COUNT(*)::INT AS n, SUM(CAST(column3 AS DECIMAL(18, 2)))::VARCHAR AS total, MAX(column7::INT) AS last
       FROM read_csv('${path}', header = false, all_varchar = true)`,
    );
    expect(rows).toEqual([{ n, total: (sumCents / 100).toFixed(2), last: n + 1 }]);
  });
});
