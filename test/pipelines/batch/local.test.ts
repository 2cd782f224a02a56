/** The batch pipeline on the local path: a landing folder → the embedded DuckDB warehouse. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCents } from '../../../shared/money.ts';
import { CSV_HEADER } from '../../../shared/schema/index.ts';
import { runBatch } from '../../../pipelines/batch/run-batch.ts';
import { useTempDir } from '../../util/tmp.ts';
import {
  batchOptions,
  csvText,
  gz,
  ndjsonText,
  put,
  rowLine,
  sampleRows,
  snapshot,
  withDuckDB,
  writeParquet,
} from './fixtures.ts';

const tmp = useTempDir('salesflow-batch-');

describe('pipeline batch, local DuckDB path', () => {
  it('loads CSV, gzip NDJSON and a Parquet lake: valid rows to bronze/silver, bad rows quarantined, duplicates counted, files archived', async () => {
    const root = join(tmp(), 'mixed');
    const a = sampleRows(40, 11);
    const b = sampleRows(30, 12);
    const c = sampleRows(20, 13).map((r) => ({ ...r, region: 'North' }));
    c[5] = { ...a[1], region: 'North' }; // already in silver by the time the lake loads
    const d = sampleRows(30, 14);
    const badRow = { ...sampleRows(1, 15)[0], cents: -100, region: 'Atlantis' };
    put(join(root, 'landing/day1/sales.csv'), csvText(a, ['bad,row', rowLine(a[0])]));
    put(join(root, 'landing/day1/sales.ndjson.gz'), gz(ndjsonText(b)));
    // A hive-partitioned file without the partition column (to-parquet style): the folder supplies it.
    await writeParquet(join(root, 'landing/lake/sales_region=North/part-00000.parquet'), c, 'sales_region');
    await writeParquet(join(root, 'landing/lake/extra/typed.parquet'), [...d, badRow]);
    put(join(root, 'landing/lake/_SUCCESS'), '');
    const db = join(root, 'w.duckdb');

    const summary = await runBatch(batchOptions(root));
    // Rows were quarantined: the data landed, but the run is partial (the command exits 3).
    expect(summary.ok).toBe(false);
    expect(
      summary.files.map((f) => [f.key, f.status, f.rowsRead, f.rowsLoaded, f.rowsRejected, f.rowsDuplicate]),
    ).toEqual([
      ['day1/sales.csv', 'partial', 42, 40, 1, 1],
      ['day1/sales.ndjson.gz', 'loaded', 30, 30, 0, 0],
      ['lake/extra/typed.parquet', 'partial', 31, 30, 1, 0],
      ['lake/sales_region=North/part-00000.parquet', 'loaded', 20, 19, 0, 1],
    ]);
    expect(summary.rowsLoaded).toBe(119);

    await withDuckDB(db, async (w) => {
      const silver = await w.query('SELECT COUNT(*) AS n, COUNT(DISTINCT transaction_id) AS ids FROM silver_sales');
      expect(silver.rows[0]).toEqual({ n: 119, ids: 119 });
      // Bronze keeps every valid row as landed (duplicates included), with its file.
      expect((await w.query('SELECT COUNT(*) AS n FROM bronze_sales')).rows[0].n).toBe(41 + 30 + 30 + 20);
      const north = await w.query(
        `SELECT sales_region, sale_amount FROM silver_sales WHERE transaction_id = '${c[0].id}'`,
      );
      expect(north.rows).toEqual([{ sales_region: 'North', sale_amount: formatCents(c[0].cents) }]);
      const q = (
        await w.query('SELECT raw_row, _source_file, _line, reasons FROM quarantine_sales ORDER BY _source_file')
      ).rows;
      expect(q).toHaveLength(2);
      expect(q[0]).toMatchObject({ raw_row: 'bad,row', _source_file: join(root, 'landing/day1/sales.csv'), _line: 42 });
      expect(q[0].reasons).toMatch(/2 fields/);
      expect(q[1]._source_file).toBe(join(root, 'landing/lake/extra/typed.parquet'));
      expect(q[1].reasons).toMatch(/sale_amount: .*greater than 0.*sales_region: .*not one of/);
      expect(q[1].raw_row).toContain('Atlantis');
      const log = await w.query(
        'SELECT file, attempt, status, finished_at IS NOT NULL AS done FROM load_log ORDER BY file',
      );
      expect(log.rows.map((r) => [String(r.file).slice(root.length + 1), r.attempt, r.status, r.done])).toEqual([
        ['landing/day1/sales.csv', 1, 'partial', true],
        ['landing/day1/sales.ndjson.gz', 1, 'loaded', true],
        ['landing/lake/extra/typed.parquet', 1, 'partial', true],
        ['landing/lake/sales_region=North/part-00000.parquet', 1, 'loaded', true],
      ]);
      // Gold views answer from silver.
      const gold = await w.query('SELECT SUM(transactions) AS n FROM gold_avg_by_region');
      expect(Number(gold.rows[0].n)).toBe(119);
      // No staging tables left behind.
      const stages = await w.query("SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'stage_%'");
      expect(stages.rows).toEqual([]);
    });

    // Archived under the same keys; bookkeeping files are left alone.
    expect(existsSync(join(root, 'archive/day1/sales.csv'))).toBe(true);
    expect(existsSync(join(root, 'archive/lake/sales_region=North/part-00000.parquet'))).toBe(true);
    expect(readdirSync(join(root, 'landing/day1'))).toEqual([]);
    expect(existsSync(join(root, 'landing/lake/_SUCCESS'))).toBe(true);

    // A re-run finds nothing new; the same file landing again is recognised by name and checksum.
    const before = await withDuckDB(db, (w) => snapshot(w, root));
    const again = await runBatch(batchOptions(root));
    expect(again.files).toEqual([]);
    put(join(root, 'landing/day1/sales.csv'), readFileSync(join(root, 'archive/day1/sales.csv')));
    const relanded = await runBatch(batchOptions(root));
    expect(relanded.files.map((f) => [f.key, f.alreadyDone, f.rowsLoaded, f.disposition])).toEqual([
      ['day1/sales.csv', true, 0, `archived to ${join(root, 'archive/day1/sales.csv')}`],
    ]);
    expect(await withDuckDB(db, (w) => snapshot(w, root))).toEqual(before);

    // New content under the same name is a new version: attempt 2, its new ids load, the old ones count as duplicates.
    put(join(root, 'landing/day1/sales.csv'), csvText([...a.slice(0, 5), ...sampleRows(3, 16)]));
    const v2 = await runBatch({ source: join(root, 'landing'), warehouse: `duckdb:${db}`, deleteSource: true });
    expect(v2.files.map((f) => [f.status, f.rowsLoaded, f.rowsDuplicate, f.disposition])).toEqual([
      ['loaded', 3, 5, 'deleted'],
    ]);
    expect(existsSync(join(root, 'landing/day1/sales.csv'))).toBe(false);
    await withDuckDB(db, async (w) => {
      const attempts = await w.query(`SELECT attempt FROM load_log WHERE file LIKE '%day1/sales.csv' ORDER BY attempt`);
      expect(attempts.rows.map((r) => r.attempt)).toEqual([1, 2]);
    });
  });

  it('rejects bad files whole with a clear logged reason, moves them to rejected/, and still loads the good ones', async () => {
    const root = join(tmp(), 'bad');
    const L = (name: string) => join(root, 'landing', name);
    const good = sampleRows(20, 21);
    const rows40 = sampleRows(40, 22);
    put(L('good.csv'), csvText(good));
    put(L('empty.csv'), '');
    put(L('header-only.csv'), `${CSV_HEADER}\n`);
    const full = gz(csvText(sampleRows(2000, 23)));
    put(L('truncated.csv.gz'), full.subarray(0, Math.floor(full.length / 2)));
    put(
      L('latin1-header.csv'),
      Buffer.concat([
        Buffer.from('transaction_id,customer_id,transaction_dat'),
        Buffer.from([0xe9]),
        Buffer.from(',x\n'),
      ]),
    );
    const badBytes = Buffer.from(`${rowLine({ ...rows40[0], id: 'TX-bytes-1' })}\n`);
    badBytes[badBytes.indexOf(',', badBytes.indexOf(',') + 1) - 1] = 0xff; // inside customer_id
    put(L('non-utf8-row.csv'), Buffer.concat([Buffer.from(csvText(rows40)), badBytes]));
    put(L('one-column.csv'), 'transaction_id\nTX-1\nTX-2\n');
    // An over-long line is one bad row (quarantined with the reason), not a bad file.
    const long = sampleRows(30, 25);
    put(L('huge-line.csv'), csvText(long, ['x'.repeat(18 * 1024 * 1024)]));
    put(
      L('too-many-errors.csv'),
      csvText(sampleRows(10, 24), ['a,b', 'c,d', 'TX-1,0,2024-01-01,1.00,Books,North', 'e', 'f']),
    );
    put(L('not-parquet.parquet'), 'this is not parquet\n');
    put(L('notes.txt'), 'hello');
    const db = join(root, 'w.duckdb');

    const s = await runBatch({ source: L(''), warehouse: `duckdb:${db}`, archive: join(root, 'archive') });
    expect(s.ok).toBe(false);
    expect(s.ignored).toEqual(['notes.txt']);
    const byKey = Object.fromEntries(s.files.map((f) => [f.key, f]));
    expect(byKey['good.csv']).toMatchObject({ status: 'loaded', rowsLoaded: 20 });
    expect(byKey['non-utf8-row.csv']).toMatchObject({ status: 'partial', rowsLoaded: 40, rowsRejected: 1 });
    expect(byKey['huge-line.csv']).toMatchObject({ status: 'partial', rowsLoaded: 30, rowsRejected: 1 });
    const reasons: Record<string, RegExp> = {
      'empty.csv': /empty/,
      'header-only.csv': /no data rows/,
      'truncated.csv.gz': /gzip stream is truncated or corrupt/,
      'latin1-header.csv': /line 1: the header line is not valid UTF-8/,
      'one-column.csv': /line 1: .*missing/i,
      'too-many-errors.csv': /5 of 15 rows are invalid \(33\.33%\), above --max-error-rate 5%/,
      'not-parquet.parquet': /not a loadable sales Parquet file/,
    };
    for (const [key, reason] of Object.entries(reasons)) {
      expect(byKey[key], key).toMatchObject({ status: 'rejected', rowsLoaded: 0 });
      expect(byKey[key].error, key).toMatch(reason);
      expect(byKey[key].disposition, key).toBe(`moved to ${join(root, 'rejected', key)}`);
      expect(existsSync(join(root, 'rejected', key)), key).toBe(true);
    }
    await withDuckDB(db, async (w) => {
      // All-or-nothing: no row of a rejected file loads; their reasons are in the log, and the
      // invalid rows of a file refused for its error rate are in quarantine, marked. An over-long
      // line is one bad row of a file that still loads.
      expect((await w.query('SELECT COUNT(*) AS n FROM silver_sales')).rows[0].n).toBe(90);
      const q = await w.query(
        'SELECT _source_file, _line, reasons, _file_rejected FROM quarantine_sales ORDER BY _source_file, _line',
      );
      expect(q.rows).toEqual(
        [
          {
            _source_file: L('huge-line.csv'),
            _line: 32,
            reasons: 'row is longer than 65536 bytes',
            _file_rejected: false,
          },
          {
            _source_file: L('non-utf8-row.csv'),
            _line: 42,
            reasons: expect.stringMatching(/UTF-8|customer_id/),
            _file_rejected: false,
          },
          ...[12, 13, 15, 16].map((line) => ({
            _source_file: L('too-many-errors.csv'),
            _line: line,
            reasons: expect.stringMatching(/^row has \d fields?, expected 6$/),
            _file_rejected: true,
          })),
          {
            _source_file: L('too-many-errors.csv'),
            _line: 14,
            reasons: expect.stringMatching(/customer_id/),
            _file_rejected: true,
          },
        ].sort((a, b) => `${a._source_file}${a._line}`.localeCompare(`${b._source_file}${b._line}`)),
      );
      const raw = await w.query(`SELECT length(raw_row) AS n FROM quarantine_sales WHERE _line = 32`);
      expect(raw.rows).toEqual([{ n: 1025 }]);
      const log = await w.query("SELECT file, error FROM load_log WHERE status = 'rejected' ORDER BY file");
      expect(log.rows.map((r) => String(r.file).slice(L('').length + 1))).toEqual(Object.keys(reasons).sort());
    });
    // Rejected files were moved, not re-read: a second run is quiet and succeeds.
    const again = await runBatch({ source: L(''), warehouse: `duckdb:${db}`, archive: join(root, 'archive') });
    expect(again.files).toEqual([]);
    expect(again.ok).toBe(true);
  });

  it('reads a lake in the landing area as its layout defines it: copies in other folders are refused, not loaded', async () => {
    const root = join(tmp(), 'nested');
    const north = sampleRows(25, 51).map((r) => ({ ...r, region: 'North' }));
    const text = sampleRows(10, 52);
    const lake = (rel: string) => join(root, 'landing/lake', rel);
    await writeParquet(lake('sales_region=North/part-00000.parquet'), north, 'sales_region');
    await writeParquet(lake('sales_region=North/backup/part-00000.parquet'), north, 'sales_region');
    await writeParquet(lake('copy/sales_region=North/part-00000.parquet'), north, 'sales_region');
    put(lake('_manifest.json'), JSON.stringify({ partitionBy: ['sales_region'] }));
    put(lake('_SUCCESS'), '');
    put(join(root, 'landing/in/sales.csv'), csvText(text));
    const s = await runBatch(batchOptions(root));
    expect(s.files.map((f) => [f.key, f.status, f.rowsLoaded])).toEqual([
      ['in/sales.csv', 'loaded', 10],
      ['lake/copy/sales_region=North/part-00000.parquet', 'rejected', 0],
      ['lake/sales_region=North/backup/part-00000.parquet', 'rejected', 0],
      ['lake/sales_region=North/part-00000.parquet', 'loaded', 25],
    ]);
    expect(s.files[1].error).toMatch(
      /^outside its lake's layout, not read as data: folder "copy" is not a partition folder/,
    );
    expect(s.files[2].error).toMatch(/folder "backup" is not a partition folder \(column=value\) below sales_region=…/);
    await withDuckDB(join(root, 'w.duckdb'), async (w) => {
      const silver = await w.query('SELECT COUNT(*) AS n FROM silver_sales');
      expect(silver.rows[0].n).toBe(35);
      const bronze = await w.query('SELECT COUNT(*) AS n FROM bronze_sales');
      expect(bronze.rows[0].n).toBe(35); // nothing of the copies, not even as duplicates
    });
    expect(existsSync(join(root, 'rejected/lake/sales_region=North/backup/part-00000.parquet'))).toBe(true);
  });

  it('CSV rows keep their physical line numbers, and a repeated id keeps its first line', async () => {
    const root = join(tmp(), 'lines');
    const rows = sampleRows(4, 17);
    const again = { ...rows[1], cents: rows[1].cents + 1 }; // same id, different amount, later line
    // line 1 header, 2–3 rows, 4 blank, 5 bad, 6–7 rows, 8 the repeat
    const text =
      csvText(rows.slice(0, 2)) +
      '\nnot,a,row\n' +
      csvText(rows.slice(2)).split('\n').slice(1).join('\n') +
      rowLine(again) +
      '\n';
    put(join(root, 'landing/sales.csv'), text);
    const db = join(root, 'w.duckdb');
    const summary = await runBatch({ source: join(root, 'landing'), warehouse: `duckdb:${db}`, maxErrorRate: 0.5 });
    expect(summary.files.map((f) => [f.rowsRead, f.rowsLoaded, f.rowsRejected, f.rowsDuplicate])).toEqual([
      [6, 4, 1, 1],
    ]);
    await withDuckDB(db, async (w) => {
      const bronze = await w.query('SELECT transaction_id, _line FROM bronze_sales ORDER BY _line');
      expect(bronze.rows).toEqual([
        { transaction_id: rows[0].id, _line: 2 },
        { transaction_id: rows[1].id, _line: 3 },
        { transaction_id: rows[2].id, _line: 6 },
        { transaction_id: rows[3].id, _line: 7 },
        { transaction_id: rows[1].id, _line: 8 },
      ]);
      const q = await w.query('SELECT _line FROM quarantine_sales');
      expect(q.rows).toEqual([{ _line: 5 }]);
      const kept = await w.query('SELECT sale_amount FROM silver_sales WHERE transaction_id = @id', {
        params: { id: rows[1].id },
      });
      expect(kept.rows).toEqual([{ sale_amount: formatCents(rows[1].cents) }]);
    });
  });
});
