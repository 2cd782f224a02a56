/**
 * The warehouse contract: one suite, run against every implementation (DuckDB
 * file, BigQuery through the REST test server). Each `it` uses its own rows so
 * the order of tests does not matter.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/errors.ts';
import { LoadError, QueryError } from '../../shared/errors.ts';
import { COLUMN_NAMES } from '../../shared/schema/index.ts';
import { type LogEntry, logRowSql, readLoadLog } from '../../warehouse/load-log.ts';
import { currentTimestampSql, mergeIntoSilverSql } from '../../warehouse/merge.ts';
import { stagingFields, TABLE_NAMES, type TableDef, tableDef } from '../../warehouse/tables.ts';
import { VIEW_NAMES } from '../../warehouse/views.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { useTempDir } from '../util/tmp.ts';
import { withMemoryDuckDB } from '../util/duckdb.ts';
import { streamCommitContract } from './stream-contract.ts';
import { expectedByCategory, salesJson, sampleRows, writeSalesFiles } from './fixtures.ts';

export interface ContractContext {
  warehouse: Warehouse;
  /** Put a local file at a gs:// URI the warehouse can load from (when a GCS server is running). */
  putGcs?: (localPath: string, uri: string) => Promise<void>;
}

const count = async (w: Warehouse, table: string, where = 'TRUE', params = {}) =>
  (await w.query(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, { params })).rows[0].n;

export function warehouseContract(label: string, setup: () => Promise<ContractContext>): void {
  describe(`warehouse contract: ${label}`, () => {
    const tmp = useTempDir('salesflow-wh-');
    let ctx: ContractContext;
    let w: Warehouse;
    beforeAll(async () => {
      ctx = await setup();
      w = ctx.warehouse;
      await w.ensure();
    });

    /** The table as an earlier version made it: empty, without `column`. */
    const recreateWithout = async (table: string, column: string) => {
      await w.dropTable(table);
      await w.createTable(
        table,
        (tableDef(table) as TableDef).fields.filter((f) => f.name !== column),
      );
    };

    it('ensure adds the columns a table made by an earlier version lacks, keeping its rows', async () => {
      await recreateWithout('quarantine_sales', '_file_rejected');
      await w.run(
        `INSERT INTO ${w.ref('quarantine_sales')} (raw_row, _source_file, _line, reasons, _ingested_at)
VALUES ('old,row', 'old.csv', 2, 'why', ${w.sql.now()})`,
      );
      await w.ensure();
      await w.run(
        `INSERT INTO ${w.ref('quarantine_sales')} (raw_row, _source_file, _line, reasons, _ingested_at, _file_rejected)
VALUES ('new,row', 'new.csv', 3, 'why', ${w.sql.now()}, TRUE)`,
      );
      const { rows } = await w.query(
        `SELECT _source_file, _file_rejected FROM ${w.ref('quarantine_sales')} WHERE _source_file IN ('old.csv', 'new.csv') ORDER BY _source_file`,
      );
      expect(rows).toEqual([
        { _source_file: 'new.csv', _file_rejected: true },
        { _source_file: 'old.csv', _file_rejected: null },
      ]);
      await w.ensure(); // and again: nothing left to add
    });

    it('ensure adds moved_to to a load_log made before it existed, keeping its rows', async () => {
      await recreateWithout('load_log', 'moved_to');
      const row = (file: string) =>
        `INSERT INTO ${w.ref('load_log')} (file, attempt, status, started_at) VALUES ('${file}', 1, 'loaded', ${w.sql.now()})`;
      await w.run(row('old.csv'));
      await w.ensure();
      await w.run(row('new.csv'));
      await w.run(`UPDATE ${w.ref('load_log')} SET moved_to = 'archive/new.csv' WHERE file = 'new.csv'`);
      const { rows } = await w.query(`SELECT file, moved_to FROM ${w.ref('load_log')} ORDER BY file`);
      expect(rows).toEqual([
        { file: 'new.csv', moved_to: 'archive/new.csv' },
        { file: 'old.csv', moved_to: null },
      ]);
      await w.run(`DELETE FROM ${w.ref('load_log')} WHERE file IN ('old.csv', 'new.csv')`);
    });

    it('ensure creates every table and view and is idempotent', async () => {
      await w.ensure();
      for (const name of [...TABLE_NAMES, ...VIEW_NAMES]) {
        expect(typeof (await count(w, name))).toBe('number');
      }
      expect(w.ref('silver_sales')).toContain('silver_sales');
    });

    it('loads CSV, NDJSON and Parquet files into a table in one job each', async () => {
      const rows = sampleRows(30, 11);
      const files = await writeSalesFiles(tmp(), 'load', rows);
      await w.createTable('stage_load', stagingFields(), { replace: true });
      for (const [format, path] of [
        ['CSV', files.csv],
        ['NEWLINE_DELIMITED_JSON', files.ndjson],
        ['PARQUET', files.parquet],
      ] as const) {
        const r = await w.load(path, 'stage_load', { format });
        expect(r.rows, format).toBe(30);
      }
      expect(await count(w, 'stage_load', 'transaction_id LIKE @p', { p: 'TX-11-%' })).toBe(90);
      const truncated = await w.load(files.parquet, 'stage_load', { format: 'PARQUET', write: 'truncate' });
      expect(truncated.rows).toBe(30);
      expect(await count(w, 'stage_load')).toBe(30);
      const amounts = await w.query(
        'SELECT sale_amount FROM stage_load WHERE transaction_id = @id ORDER BY sale_amount',
        { params: { id: rows[0].id } },
      );
      expect(new Set(amounts.rows.map((r) => r.sale_amount))).toEqual(new Set([salesJson(rows[0]).sale_amount]));
    });

    it('a load with a bad value fails as a whole and adds nothing', async () => {
      const rows = sampleRows(5, 12);
      const files = await writeSalesFiles(tmp(), 'bad', rows);
      const { appendFileSync } = await import('node:fs');
      appendFileSync(files.csv, 'TX-12-bad,notanumber,2024-01-01,1.00,Books,North\n');
      await w.createTable('stage_bad', stagingFields(), { replace: true });
      const err = await w.load(files.csv, 'stage_bad', { format: 'CSV' }).catch((e) => e);
      expect(err).toBeInstanceOf(LoadError);
      expect(err.context.file).toBe(files.csv);
      expect(await count(w, 'stage_bad')).toBe(0);
      // Values the column cannot hold exactly fail too (DuckDB alone would round them).
      for (const [i, line] of [
        'TX-12-r1,7,2024-01-01,12.345,Books,North',
        'TX-12-r2,1.5,2024-01-01,1.00,Books,North',
      ].entries()) {
        const f = files.csv.replace('.csv', `-round-${i}.csv`);
        const { writeFileSync } = await import('node:fs');
        writeFileSync(
          f,
          `transaction_id,customer_id,transaction_date,sale_amount,product_category,sales_region\n${line}\n`,
        );
        const e = await w.load(f, 'stage_bad', { format: 'CSV' }).catch((x) => x);
        expect(e, line).toBeInstanceOf(LoadError);
        expect(e.message, line).toMatch(i === 0 ? /sale_amount/ : /customer_id/);
      }
      expect(await count(w, 'stage_bad')).toBe(0);
      await expect(w.load(files.csv, 'no_such_table', { format: 'CSV' })).rejects.toBeInstanceOf(LoadError);
      await expect(w.insertRows('no_such_table', [{ row: { a: 1 } }])).rejects.toBeInstanceOf(LoadError);
    });

    it('loads from gs:// URIs', async (t) => {
      if (!ctx.putGcs) t.skip();
      const rows = sampleRows(7, 13);
      const files = await writeSalesFiles(tmp(), 'gcs', rows);
      await ctx.putGcs!(files.parquet, 'gs://wh-test/lake/part-0.parquet');
      await w.createTable('stage_gcs', stagingFields(), { replace: true });
      const r = await w.load('gs://wh-test/lake/part-0.parquet', 'stage_gcs', { format: 'PARQUET' });
      expect(r.rows).toBe(7);
      expect(await count(w, 'stage_gcs', 'transaction_id LIKE @p', { p: 'TX-13-%' })).toBe(7);
      await expect(w.load('gs://wh-test/lake/missing.parquet', 'stage_gcs', { format: 'PARQUET' })).rejects.toThrow();
    });

    it('inserts rows with insertIds: duplicates land once, invalid rows are reported, valid rows land', async () => {
      const rows = sampleRows(4, 14).map((r) => ({ insertId: r.id, row: salesJson(r) }));
      const bad = { insertId: 'bad-1', row: { ...salesJson(sampleRows(1, 15)[0]), customer_id: 'abc' } };
      const first = await w.insertRows('silver_sales', [rows[0], rows[1], rows[1], bad, rows[2]]);
      expect(first.errors).toHaveLength(1);
      expect(first.errors[0].index).toBe(3);
      expect(first.errors[0].insertId).toBe('bad-1');
      expect(first.errors[0].reasons.join(' ')).toMatch(/customer_id/);
      // A retry of the same batch (same insertIds) adds only the new row.
      const retry = await w.insertRows('silver_sales', [rows[0], rows[1], rows[2], rows[3]]);
      expect(retry.errors).toEqual([]);
      expect(await count(w, 'silver_sales', 'transaction_id LIKE @p', { p: 'TX-14-%' })).toBe(4);
      expect(await count(w, 'silver_sales', 'transaction_id LIKE @p', { p: 'TX-15-%' })).toBe(0);
      // Large batches (sent in several requests on BigQuery) keep error indexes right.
      const many = sampleRows(700, 20).map((r) => ({ insertId: r.id, row: salesJson(r) }));
      many[650] = { ...many[650], row: { ...many[650].row, transaction_date: '2024-02-30' } };
      const big = await w.insertRows('silver_sales', many);
      expect(big.errors.map((e) => [e.index, e.insertId])).toEqual([[650, many[650].insertId]]);
      expect(big.inserted).toBe(699);
      expect(await count(w, 'silver_sales', 'transaction_id LIKE @p', { p: 'TX-20-%' })).toBe(699);
    });

    it('queries with named parameters of every type, never spliced', async () => {
      const rows = sampleRows(20, 16);
      await w.insertRows(
        'silver_sales',
        rows.map((r) => ({ insertId: r.id, row: salesJson(r) })),
      );
      const pick = rows[3];
      const r = await w.query(
        `SELECT transaction_id, customer_id, transaction_date, sale_amount FROM silver_sales
         WHERE transaction_date = @d AND customer_id = @c AND sale_amount = @amount AND transaction_id = @id`,
        {
          params: {
            d: { type: 'DATE', value: pick.date },
            c: pick.customer,
            amount: { type: 'NUMERIC', value: salesJson(pick).sale_amount as string },
            id: pick.id,
          },
        },
      );
      expect(r.rows).toEqual([
        {
          transaction_id: pick.id,
          customer_id: pick.customer,
          transaction_date: pick.date,
          sale_amount: salesJson(pick).sale_amount,
        },
      ]);
      expect(r.fields.map((f) => f.type)).toEqual(['STRING', 'INT64', 'DATE', 'NUMERIC']);
      // A value that looks like SQL stays a value.
      expect(await count(w, 'silver_sales', 'transaction_id = @id', { id: "x' OR '1'='1" })).toBe(0);
      await expect(w.query('SELECT @missing AS x')).rejects.toBeInstanceOf(UsageError);
    });

    it('returns every string exactly as stored, a leading U+FEFF included', async () => {
      const bom = '\uFEFF';
      const r = await w.query('SELECT @p AS param, CONCAT(@p, @p) AS built', { params: { p: `${bom}p` } });
      expect(r.rows).toEqual([{ param: `${bom}p`, built: `${bom}p${bom}p` }]);
    });

    it('pages through a result larger than one page, every row exactly once', async () => {
      const rows = sampleRows(2500, 17);
      await w.insertRows(
        'silver_sales',
        rows.map((r) => ({ insertId: r.id, row: salesJson(r) })),
      );
      const pages: number[] = [];
      const seen = new Set<unknown>();
      for await (const page of w.queryPages(
        'SELECT transaction_id FROM silver_sales WHERE transaction_id LIKE @p ORDER BY transaction_id',
        { params: { p: 'TX-17-%' }, pageSize: 1000 },
      )) {
        pages.push(page.rows.length);
        for (const r of page.rows) seen.add(r.transaction_id);
      }
      expect(pages).toEqual([1000, 1000, 500]);
      expect(seen.size).toBe(2500);
      // Stopping early releases the warehouse for the next statement.
      for await (const page of w.queryPages('SELECT transaction_id FROM silver_sales', { pageSize: 10 })) {
        expect(page.rows).toHaveLength(10);
        break;
      }
      expect(await count(w, 'silver_sales', 'transaction_id LIKE @p', { p: 'TX-17-%' })).toBe(2500);
    });

    it('MERGE from staging into silver de-duplicates on transaction_id, and re-running adds nothing', async () => {
      const rows = sampleRows(10, 18);
      const files = await writeSalesFiles(tmp(), 'merge', [...rows, ...rows.slice(0, 3)]);
      await w.createTable('stage_merge', stagingFields(), { replace: true });
      await w.load(files.parquet, 'stage_merge', { format: 'PARQUET' });
      // Bronze keeps every landed row with its provenance.
      await w.run(
        `INSERT INTO ${w.ref('bronze_sales')} (${COLUMN_NAMES.join(', ')}, _source_file, _line, _ingested_at)
SELECT *, @file AS _source_file, NULL AS _line, ${currentTimestampSql(w.dialect)} AS _ingested_at FROM ${w.ref('stage_merge')}`,
        { params: { file: files.parquet } },
      );
      expect(await count(w, 'bronze_sales', '_source_file = @f', { f: files.parquet })).toBe(13);
      await w.insertRows('silver_sales', [{ insertId: rows[0].id, row: salesJson(rows[0]) }]);
      const merge = mergeIntoSilverSql(w.sql, (n) => w.ref(n), w.ref('stage_merge'));
      const first = await w.run(merge);
      expect(first.affectedRows).toBe(9);
      const again = await w.run(merge);
      expect(again.affectedRows).toBe(0);
      await w.dropTable('stage_merge');
      await w.dropTable('stage_merge');
      await expect(w.query('SELECT * FROM stage_merge')).rejects.toBeInstanceOf(QueryError);
      expect(await count(w, 'silver_sales', 'transaction_id LIKE @p', { p: 'TX-18-%' })).toBe(10);
    });

    it('runs multi-statement transactions with parameters and rolls back on failure', async () => {
      const logRow = (file: string, status: string) =>
        `INSERT INTO ${w.ref('load_log')} (file, attempt, status, started_at) VALUES (${file}, 1, '${status}', ${w.sql.now()})`;
      await w.run(
        w.sql.transaction([
          logRow('@f', 'started'),
          `UPDATE ${w.ref('load_log')} SET status = 'loaded' WHERE file = @f`,
        ]),
        {
          params: { f: 'tx-ok.csv' },
        },
      );
      expect(
        (await w.query('SELECT status FROM load_log WHERE file = @f', { params: { f: 'tx-ok.csv' } })).rows,
      ).toEqual([{ status: 'loaded' }]);
      await expect(
        w.run(w.sql.transaction([logRow('@f', 'started'), 'SELECT * FROM no_such_table']), {
          params: { f: 'tx-fail.csv' },
        }),
      ).rejects.toBeInstanceOf(QueryError);
      expect(await count(w, 'load_log', 'file = @f', { f: 'tx-fail.csv' })).toBe(0);
    });

    it("keeps the load log: a row per finished attempt, written in the data's transaction, read back per file version", async () => {
      const file = `gs://b/log-${w.dialect}.csv`;
      const entry = (attempt: number, status: LogEntry['status'], checksum: string, error?: string): LogEntry => ({
        file,
        attempt,
        sizeBytes: 100,
        checksum,
        rowsRead: 3,
        rowsLoaded: status === 'rejected' ? 0 : 2,
        rowsRejected: 1,
        rowsDuplicate: 0,
        status,
        startedAt: new Date(Date.now() - 1000),
        error,
      });
      expect((await readLoadLog(w)).nextAttempt(file)).toBe(1);
      const first = logRowSql(w, entry(1, 'rejected', 'c1', 'too many invalid rows'), 'a_');
      await w.run(w.sql.transaction([first.sql]), { params: first.params });
      // Two rows in one script: their prefixes keep the parameters apart.
      const second = logRowSql(w, entry(2, 'partial', 'c2'), 'b_');
      const other = logRowSql(w, { ...entry(1, 'loaded', 'c9'), file: `${file}.other` }, 'c_');
      await w.run(w.sql.transaction([second.sql, other.sql]), { params: { ...second.params, ...other.params } });
      const log = await readLoadLog(w);
      expect(log.prior(file, 'c1')).toEqual({ status: 'rejected', attempt: 1 });
      expect(log.prior(file, 'c2')).toEqual({ status: 'partial', attempt: 2 });
      expect(log.prior(file, 'c3')).toBeUndefined();
      expect(log.nextAttempt(file)).toBe(3);
      expect(log.prior(`${file}.other`, 'c9')).toEqual({ status: 'loaded', attempt: 1 });
      const { rows } = await w.query(
        `SELECT attempt, status, rows_loaded, error, finished_at >= started_at AS ordered FROM ${w.ref('load_log')}
         WHERE file = @file ORDER BY attempt`,
        { params: { file } },
      );
      expect(rows).toEqual([
        { attempt: 1, status: 'rejected', rows_loaded: 0, error: 'too many invalid rows', ordered: true },
        { attempt: 2, status: 'partial', rows_loaded: 2, error: null, ordered: true },
      ]);
    });

    it('stages Parquet, CSV and NDJSON files as rows SQL reads by name, replaced when staged again, gone when dropped', async () => {
      const rows = sampleRows(6, 21);
      const files = await writeSalesFiles(tmp(), 'stage', rows);
      const expected = rows
        .map((r) => ({ transaction_id: r.id, sale_amount: salesJson(r).sale_amount, sales_region: r.region }))
        .sort((a, b) => (a.transaction_id < b.transaction_id ? -1 : 1));
      for (const [format, path] of [
        ['PARQUET', files.parquet],
        ['CSV', files.csv],
        ['NEWLINE_DELIMITED_JSON', files.ndjson],
      ] as const) {
        await w.stageFile({ uri: path }, 'stage_file', { format, fields: stagingFields() });
        const got = await w.query(
          `SELECT transaction_id, sale_amount, sales_region FROM ${w.ref('stage_file')} ORDER BY transaction_id`,
        );
        expect(got.rows, format).toEqual(expected);
      }
      // A Parquet file without a column (a hive folder supplies it) stages it as NULL.
      const lacking = files.parquet.replace('.parquet', '-no-region.parquet');
      await withMemoryDuckDB((c) =>
        c.run(
          `COPY (SELECT * EXCLUDE (sales_region) FROM read_parquet('${files.parquet}')) TO '${lacking}' (FORMAT parquet)`,
        ),
      );
      await w.stageFile({ uri: lacking }, 'stage_file', { format: 'PARQUET', fields: stagingFields() });
      expect(await count(w, w.ref('stage_file'), 'sales_region IS NULL')).toBe(6);
      await w.dropTable('stage_file');
      await w.dropTable('stage_file');
      await expect(w.query('SELECT * FROM stage_file')).rejects.toBeInstanceOf(QueryError);
    });

    it('staging a file that is not what its format says fails with a terminal error', async () => {
      const files = await writeSalesFiles(tmp(), 'not-parquet', sampleRows(3, 22));
      const err = await w
        .stageFile({ uri: files.csv }, 'stage_not_parquet', { format: 'PARQUET', fields: stagingFields() })
        .catch((e) => e);
      expect(
        [LoadError, QueryError].some((type) => err instanceof type),
        String(err),
      ).toBe(true);
      expect(err.transient).toBe(false);
      await w.dropTable('stage_not_parquet');
    });

    it('stages a gs:// object, asking for a local copy only when it cannot read the object where it is', async (t) => {
      if (!ctx.putGcs) t.skip();
      const files = await writeSalesFiles(tmp(), 'stage-gcs', sampleRows(4, 23));
      await ctx.putGcs!(files.parquet, 'gs://wh-test/stage/part-0.parquet');
      let copies = 0;
      const localCopy = async () => {
        copies++;
        return files.parquet;
      };
      await w.stageFile({ uri: 'gs://wh-test/stage/part-0.parquet', localCopy }, 'stage_gcs_file', {
        format: 'PARQUET',
        fields: stagingFields(),
      });
      expect(await count(w, w.ref('stage_gcs_file'), 'transaction_id LIKE @p', { p: 'TX-23-%' })).toBe(4);
      // BigQuery's load job reads gs:// itself; DuckDB reads the local copy.
      expect(copies).toBe(w.dialect === 'bigquery' ? 0 : 1);
      await w.dropTable('stage_gcs_file');
    });

    it('gives the SQL pieces of its dialect: the time, a transaction script, a regex test', async () => {
      const r = await w.query(
        `SELECT ${w.sql.now()} <= ${w.sql.now()} AS ordered, ${w.sql.regexpContains("'TX-1'", "'^[A-Z]+-[0-9]+$'")} AS yes,
                ${w.sql.regexpContains("'TX 1!'", "'^[A-Z]+-[0-9]+$'")} AS no`,
      );
      expect(r.rows).toEqual([{ ordered: true, yes: true, no: false }]);
    });

    it('reports SQL errors as QueryError with context', async () => {
      await expect(w.query('SELEC 1')).rejects.toBeInstanceOf(QueryError);
      const err = await w.query('SELECT * FROM no_such_table').catch((e) => e);
      expect(err).toBeInstanceOf(QueryError);
      expect(err.context.object).toBe(w.target);
    });

    it('gold views compute exact totals and averages', async () => {
      const rows = sampleRows(300, 19);
      await w.run(`DELETE FROM ${w.ref('silver_sales')} WHERE TRUE`);
      await w.insertRows(
        'silver_sales',
        rows.map((r) => ({ insertId: `${r.id}-gold`, row: salesJson(r) })),
      );
      const got = await w.query('SELECT * FROM gold_sales_by_category ORDER BY product_category');
      expect(got.rows).toEqual(expectedByCategory(rows));
    });

    streamCommitContract(() => w);
  });
}
