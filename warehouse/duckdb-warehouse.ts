/**
 * The embedded warehouse: one DuckDB file with the same tables and views as the
 * BigQuery dataset. SQL uses `@name` parameters on both dialects; here they are
 * rewritten to `CAST($name AS type)` and bound as text, so a DATE or NUMERIC
 * parameter behaves as it does on BigQuery.
 */
import { stat, unlink } from 'node:fs/promises';
import { makeDirs } from '../shared/make-dirs.ts';
import { dirname, join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { createDuckdb } from '../shared/duckdb-instance.ts';
import { LoadError, QueryError, SalesflowError, TransientError, UsageError } from '../shared/errors.ts';
import { makeWorkDir, type WorkDir } from '../shared/work-dir.ts';
import { checkStatement, checkWritable, type WarehouseAccess } from './access.ts';
import type { BigQueryField } from '../shared/schema/index.ts';
import {
  type Bindings,
  duckdbStatementKind,
  insertTextRows,
  inTransaction,
  normalizeDuckdbCell,
  resultFields,
  type RunScriptOptions,
  runScript,
  strictCastSql,
} from './duckdb-exec.ts';
import { duckdbFileState } from './duckdb-file.ts';
import { missingObjectError, NotADuckDBDatabaseError, WarehouseLockedError, WarehouseNotFoundError } from './errors.ts';
import { downloadGcsObject } from './gcs-source.ts';
import { refuseLostTables } from './lost-tables.ts';
import { firstKeyword, rewriteParams } from './sql-lexer.ts';
import { addMissingColumnsSql, createTableSql, duckdbTypeOf, TABLES, tableDef } from './tables.ts';
import {
  type MinuteSelection,
  refreshMinuteTotals,
  type StreamCommitRequest,
  type StreamCommitResult,
  streamCommitParams,
  streamCommitResult,
  streamCommitStatements,
  streamCountsSql,
  streamStageRows,
} from './stream.ts';
import { seedCommitLockSql, takeCommitLockSql } from './commit-lock.ts';
import { missingObjects, type WarehouseCatalog, WarehouseNotReadyError } from './check.ts';
import { resolveNamedParam } from './values.ts';
import { createViewSql, VIEWS } from './views.ts';
import type {
  CreateTableOptions,
  InsertResult,
  InsertRow,
  LoadOptions,
  LoadResult,
  Params,
  QueryOptions,
  QueryResult,
  Row,
  RowError,
  RunResult,
  StageFileOptions,
  StageSource,
  Warehouse,
} from './warehouse.ts';
import { warehouseSql } from './warehouse-sql.ts';
import { csvViewSql, parquetReaderSql, parquetViewSql } from './duckdb-stage.ts';
import { checkRow } from './row-check.ts';
import { duckdbIdent, duckdbString } from '../shared/duckdb-quote.ts';

const DEFAULT_PAGE_SIZE = 10_000;
/** insertIds remembered per table (BigQuery de-duplicates best effort over a short window). */
const INSERT_ID_MEMORY = 1_000_000;

/**
 * Settings of an analyst handle: no file or network access (read_text, COPY,
 * ATTACH, EXPORT, replacement scans of paths), no extension installs or loads,
 * no persistent secrets. `lock_configuration` is set once the time zone is.
 */
const CONFINED_CONFIG: Record<string, string> = {
  enable_external_access: 'false',
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
  allow_persistent_secrets: 'false',
};

export interface DuckDBOpenOptions {
  /** Default `pipeline` (this class is the loaders' building block; openWarehouse defaults to `read`). */
  access?: WarehouseAccess;
  /** Refuse a missing file instead of creating it (`--no-create`; read and write handles always do). */
  mustExist?: boolean;
}

export class DuckDBWarehouse implements Warehouse {
  readonly dialect = 'duckdb' as const;
  readonly sql = warehouseSql('duckdb');
  readonly target: string;
  readonly path: string;
  readonly access: WarehouseAccess;
  private readonly instance: DuckDBInstance;
  private readonly conn: DuckDBConnection;
  private readonly recentInsertIds = new Map<string, Set<string>>();
  /** Names stageFile made views (dropTable drops those as views). */
  private readonly stagedViews = new Set<string>();
  /** DuckDB runs one statement at a time per connection; callers may overlap calls. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Stream micro-batches committed through this handle (their batch ids). */
  private batches = 0;

  private constructor(path: string, access: WarehouseAccess, instance: DuckDBInstance, conn: DuckDBConnection) {
    this.path = path;
    this.target = `duckdb:${path}`;
    this.access = access;
    this.instance = instance;
    this.conn = conn;
  }

  static async open(path: string, opts: DuckDBOpenOptions = {}): Promise<DuckDBWarehouse> {
    const access = opts.access ?? 'pipeline';
    const file = path !== ':memory:';
    const state = file ? duckdbFileState(path) : 'database';
    if (state === 'foreign' || state === 'folder') throw new NotADuckDBDatabaseError(path, state);
    // Only the loaders create a warehouse; an analyst handle on a missing file is an error, not an empty warehouse.
    if ((state === 'missing' || state === 'empty') && (access !== 'pipeline' || opts.mustExist)) {
      throw new WarehouseNotFoundError(`duckdb:${path}`);
    }
    // DuckDB refuses to create into a 0-byte file (`touch`, `mktemp`): it holds nothing, so it makes way.
    if (state === 'empty') await removeIfStillEmpty(path);
    const config =
      access === 'pipeline'
        ? undefined
        : { ...CONFINED_CONFIG, access_mode: access === 'read' && file ? 'READ_ONLY' : 'READ_WRITE' };
    let instance: DuckDBInstance;
    try {
      if (file && access === 'pipeline') await makeDirs(dirname(path));
      instance = await createDuckdb(path, config);
    } catch (err) {
      throw openError(path, err);
    }
    const conn = await instance.connect();
    if (file && !(await opensFile(conn))) {
      // Replaced by a foreign file since it was checked: DuckDB fell back to memory, where nothing would persist.
      conn.closeSync();
      instance.closeSync();
      throw new NotADuckDBDatabaseError(path, 'foreign');
    }
    // Timestamps are UTC everywhere, as on BigQuery.
    await conn.run("SET TimeZone = 'UTC'");
    if (access !== 'pipeline') await conn.run('SET lock_configuration = true');
    return new DuckDBWarehouse(path, access, instance, conn);
  }

  ref(name: string): string {
    return name;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => {});
    return next;
  }

  async ensure(): Promise<void> {
    checkWritable(this.access, 'create tables and views', { object: this.target });
    const tables = await this.query(
      "SELECT table_name AS t FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary",
    );
    await refuseLostTables(this, new Set(tables.rows.map((r) => String(r.t))));
    const ref = (n: string) => this.ref(n);
    await this.run(TABLES.map((t) => createTableSql(t, ref)).join(';\n'));
    const { rows } = await this.query(
      'SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = current_schema()',
    );
    const columns = (table: string) =>
      new Set(rows.filter((r) => r.table_name === table).map((r) => String(r.column_name)));
    const statements = [
      ...TABLES.flatMap((t) => addMissingColumnsSql(t, columns(t.name), ref, 'duckdb')),
      ...VIEWS.map((v) => createViewSql('duckdb', v, ref)),
      seedCommitLockSql('duckdb'),
    ];
    await this.runTrusted(statements.join(';\n'));
  }

  async check(): Promise<void> {
    checkWritable(this.access, 'check the tables and views', { object: this.target });
    const { rows } = await this.query(
      "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal",
    );
    const views = await this.query(
      "SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal",
    );
    const catalog: WarehouseCatalog = { exists: true, tables: new Map(), views: new Set() };
    for (const v of views.rows) catalog.views.add(String(v.view_name));
    for (const r of rows) {
      const name = String(r.table_name);
      if (catalog.views.has(name)) continue;
      const columns = (catalog.tables.get(name) as Set<string> | undefined) ?? new Set<string>();
      columns.add(String(r.column_name));
      catalog.tables.set(name, columns);
    }
    const missing = missingObjects(catalog, `file ${this.path}`);
    if (missing.length > 0) throw new WarehouseNotReadyError(this.target, missing);
    await this.runTrusted(seedCommitLockSql('duckdb'));
  }

  async createTable(name: string, fields: readonly BigQueryField[], opts: CreateTableOptions = {}): Promise<void> {
    checkWritable(this.access, `create table ${name}`, { object: this.target });
    await this.runTrusted(createTableSql({ name, fields: [...fields] }, (n) => this.ref(n), opts));
  }

  async dropTable(name: string): Promise<void> {
    checkWritable(this.access, `drop table ${name}`, { object: this.target });
    if (this.stagedViews.delete(name)) await this.runTrusted(`DROP VIEW IF EXISTS ${name}`);
    else await this.runTrusted(`DROP TABLE IF EXISTS ${name}`);
  }

  async stageFile(source: StageSource, name: string, opts: StageFileOptions): Promise<void> {
    this.refuseLoads();
    const path = source.localCopy ? await source.localCopy() : source.uri;
    if (path.startsWith('gs://')) {
      throw new UsageError(`staging ${path} on DuckDB needs a local copy of it (StageSource.localCopy)`, {
        file: path,
        object: this.target,
      });
    }
    // What was staged under this name goes first: a view and a table do not replace each other.
    await this.dropTable(name);
    if (opts.format === 'NEWLINE_DELIMITED_JSON') {
      // JSON objects: a TEMP table, filled like any load.
      await this.createTable(name, opts.fields, { scratch: true });
      await this.load(path, name, { format: opts.format });
      return;
    }
    if (opts.format === 'PARQUET') {
      const { rows } = await this.query(`DESCRIBE SELECT * FROM ${parquetReaderSql(path)}`);
      await this.runTrusted(parquetViewSql(path, name, opts.fields, new Set(rows.map((r) => String(r.column_name)))));
    } else {
      await this.runTrusted(csvViewSql(path, name, opts.fields));
    }
    this.stagedViews.add(name);
  }

  /** Files reach the database only through the pipelines' handle. */
  private refuseLoads(): void {
    if (this.access !== 'pipeline') {
      throw new UsageError(`loading files needs the pipelines' warehouse handle (this one is ${this.access})`, {
        object: this.target,
      });
    }
  }

  /** The statement check of this handle's access, for runScript (none on a pipeline handle). */
  private statementCheck(sql: string): RunScriptOptions['check'] {
    if (this.access === 'pipeline') return undefined;
    return (type, count) =>
      checkStatement(
        this.access,
        { count, kind: duckdbStatementKind(type, firstKeyword(sql)), label: firstKeyword(sql).toUpperCase() || 'this' },
        { object: this.target },
      );
  }

  /** @name → CAST($name AS type), and the text bindings for them. */
  private prepare(sql: string, params: Params = {}): { sql: string; bindings: Bindings } {
    const bindings: Record<string, string | null> = {};
    const rewritten = rewriteParams(sql, (name) => {
      const p = resolveNamedParam(params, name);
      bindings[name] = p.value;
      // Bound as text, cast to the declared type (NUMERIC → DECIMAL(38, 9), BigQuery's NUMERIC).
      return `CAST($${name} AS ${duckdbTypeOf({ type: p.type })})`;
    });
    return { sql: rewritten, bindings };
  }

  private wrap(err: unknown, sql: string): Error {
    if (err instanceof SalesflowError) return err;
    const msg = err instanceof Error ? err.message : String(err);
    const context = { object: this.target, step: 'query', sql: sql.slice(0, 200) };
    return missingObjectError(msg, context, err) ?? new QueryError(msg, context, err);
  }

  async query(sql: string, opts: QueryOptions = {}): Promise<QueryResult> {
    const out: QueryResult = { fields: [], rows: [] };
    for await (const page of this.queryPages(sql, { ...opts, pageSize: opts.pageSize ?? 100_000 })) {
      out.fields = page.fields;
      for (const r of page.rows) out.rows.push(r);
    }
    return out;
  }

  async *queryPages(sql: string, opts: QueryOptions = {}): AsyncIterable<QueryResult> {
    const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
    // Stream DuckDB's result chunk by chunk; the connection stays ours until the
    // caller has read every page (or stopped early, which runs `finally`).
    const release = await this.acquire();
    try {
      const { sql: text, bindings } = this.prepare(sql, opts.params);
      const { last } = await runScript(this.conn, text, bindings, { stream: true, check: this.statementCheck(sql) });
      const fields = resultFields(last);
      let rows: Row[] = [];
      let pages = 0;
      for await (const chunk of last.yieldRowsJson()) {
        for (const values of chunk) {
          const row: Row = {};
          for (let i = 0; i < fields.length; i++) row[fields[i].name] = normalizeDuckdbCell(fields[i].type, values[i]);
          rows.push(row);
          if (rows.length === pageSize) {
            pages++;
            yield { fields, rows };
            rows = [];
          }
        }
      }
      if (rows.length > 0 || pages === 0) yield { fields, rows };
    } catch (err) {
      throw this.wrap(err, sql);
    } finally {
      release();
    }
  }

  /** Hold the connection until the returned function is called. */
  private acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.queue;
    this.queue = previous.then(() => held);
    return previous.then(() => release);
  }

  run(sql: string, opts: QueryOptions = {}): Promise<RunResult> {
    return this.runChecked(sql, opts.params, this.statementCheck(sql));
  }

  /** Our own DDL (ensure, staging tables): exempt from the statement check, not from the access. */
  private runTrusted(sql: string): Promise<RunResult> {
    return this.runChecked(sql, {}, undefined);
  }

  private runChecked(sql: string, params: Params | undefined, check: RunScriptOptions['check']): Promise<RunResult> {
    return this.serial(async () => {
      try {
        const { sql: text, bindings } = this.prepare(sql, params);
        const { affectedRows } = await runScript(this.conn, text, bindings, { check });
        return { affectedRows };
      } catch (err) {
        throw this.wrap(err, sql);
      }
    });
  }

  async load(source: string, table: string, opts: LoadOptions): Promise<LoadResult> {
    this.refuseLoads();
    const def = tableDef(table);
    let tmp: WorkDir | undefined;
    try {
      const columns = await this.tableColumns(table);
      let localPath = source;
      if (source.startsWith('gs://')) {
        tmp = await makeWorkDir('salesflow-load-');
        localPath = join(tmp.path, 'object');
        await downloadGcsObject(source, localPath);
      }
      const reader = readerSql(localPath, opts.format);
      // One transaction: a failed load adds nothing (like a BigQuery load job).
      const statements = [
        ...(opts.write === 'truncate' ? [`DELETE FROM ${table}`] : []),
        `INSERT INTO ${table} BY NAME SELECT ${selectList(columns, await this.sourceColumns(reader))} FROM ${reader}`,
      ];
      const result = await this.serial(() =>
        inTransaction(this.conn, async () => {
          let rows = 0;
          for (const s of statements) {
            const r = await this.conn.run(s);
            if (s.startsWith('INSERT')) rows = r.rowsChanged;
          }
          return rows;
        }),
      );
      return { rows: result };
    } catch (err) {
      if (err instanceof SalesflowError) throw err;
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'number' && (code === 429 || code >= 500)) {
        throw new TransientError(`loading ${source}: ${(err as Error).message}`, { file: source, step: 'load' }, err);
      }
      throw new LoadError(
        `loading ${source} into ${table} failed: ${(err as Error).message}`,
        { file: source, object: def?.name ?? table, step: 'load' },
        err,
      );
    } finally {
      await tmp?.remove();
    }
  }

  /** Columns of the source file, so loads can fill table columns the file lacks with NULL. */
  private async sourceColumns(reader: string): Promise<string[]> {
    return this.serial(async () => {
      const r = await this.conn.runAndReadAll(`DESCRIBE SELECT * FROM ${reader}`);
      return r.getRowObjectsJson().map((row) => String(row.column_name));
    });
  }

  private async tableColumns(table: string): Promise<{ name: string; type: string; mode: 'REQUIRED' | 'NULLABLE' }[]> {
    const def = tableDef(table);
    if (def)
      return def.fields.map((f) => ({
        name: f.name,
        type: duckdbTypeOf(f),
        mode: f.mode === 'REQUIRED' ? 'REQUIRED' : 'NULLABLE',
      }));
    const rows = await this.serial(async () => {
      try {
        const r = await this.conn.runAndReadAll(
          'SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = $t ORDER BY ordinal_position',
          { t: table },
        );
        return r.getRowObjectsJson();
      } catch (err) {
        throw this.wrap(err, table);
      }
    });
    if (rows.length === 0) throw new LoadError(`table ${table} does not exist`, { object: table, step: 'load' });
    return rows.map((r) => ({
      name: String(r.column_name),
      type: String(r.data_type),
      mode: r.is_nullable === 'NO' ? 'REQUIRED' : 'NULLABLE',
    }));
  }

  async insertRows(table: string, rows: readonly InsertRow[]): Promise<InsertResult> {
    checkWritable(this.access, `insert into ${table}`, { object: this.target });
    const def = tableDef(table);
    const fields = def
      ? def.fields
      : (await this.tableColumns(table)).map((c) => ({
          name: c.name,
          type: bigqueryTypeOfDuckdb(c.type),
          mode: c.mode,
        }));
    const seen = this.recentInsertIds.get(table) ?? new Set<string>();
    this.recentInsertIds.set(table, seen);
    const errors: RowError[] = [];
    const accepted: (string | null)[][] = [];
    const batchIds = new Set<string>();
    let duplicates = 0;
    rows.forEach((r, index) => {
      const check = checkRow(fields, r.row);
      if (!check.ok) {
        errors.push({ index, insertId: r.insertId, reasons: check.reasons });
        return;
      }
      if (r.insertId !== undefined) {
        if (seen.has(r.insertId) || batchIds.has(r.insertId)) {
          duplicates++;
          return;
        }
        batchIds.add(r.insertId);
      }
      accepted.push(check.values);
    });
    const columns = fields.map((f) => ({ name: f.name, type: duckdbTypeOf(f) }));
    await this.serial(async () => {
      try {
        await insertTextRows(this.conn, table, columns, accepted);
      } catch (err) {
        throw new LoadError(
          `insert into ${table} failed: ${(err as Error).message}`,
          { object: table, step: 'insert' },
          err,
        );
      }
    });
    for (const id of batchIds) seen.add(id);
    if (seen.size > INSERT_ID_MEMORY) seen.clear();
    return { inserted: accepted.length + duplicates, errors };
  }

  async commitStreamBatch(req: StreamCommitRequest): Promise<StreamCommitResult> {
    checkWritable(this.access, 'commit a stream batch', { object: this.target });
    const ref = (n: string) => this.ref(n);
    const batchId = `batch-${++this.batches}`;
    const now = Date.now();
    const rows = streamStageRows(req, batchId, now);
    const params = streamCommitParams(req, batchId, now);
    const statements = [takeCommitLockSql('duckdb'), ...streamCommitStatements('duckdb', ref)].map((sql) =>
      this.prepare(sql, params),
    );
    return this.serial(async () => {
      try {
        await inTransaction(this.conn, async () => {
          // Staged inside the transaction: the batch reaches the database file only through the commit.
          // The appender, not bound lists: one list value per column per batch held ~1.5 KB a row of
          // native memory a long stream never got back (measured: 350 vs 150 MB RSS after 200k rows).
          const appender = await this.conn.createAppender('stream_stage');
          try {
            for (const row of rows) {
              for (const v of row) {
                if (v === null) appender.appendNull();
                else appender.appendVarchar(v);
              }
              appender.endRow();
            }
          } finally {
            appender.closeSync();
          }
          for (const st of statements) await runScript(this.conn, st.sql, st.bindings);
          req.beforeCommit?.();
        });
        const counts = await this.conn.runAndReadAll(streamCountsSql());
        return streamCommitResult(counts.getRowObjectsJson()[0]);
      } catch (err) {
        throw this.wrap(err, 'stream commit');
      }
    });
  }

  refreshMinuteTotals(selection: MinuteSelection): Promise<number> {
    return refreshMinuteTotals(this, selection);
  }

  async close(): Promise<void> {
    await this.queue;
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** Is the connection's database a file (not the in-memory one DuckDB substitutes for a CSV or Parquet path)? */
async function opensFile(conn: DuckDBConnection): Promise<boolean> {
  const reader = await conn.runAndReadAll(
    'SELECT path FROM duckdb_databases() WHERE database_name = current_database()',
  );
  const path = reader.getRows()[0]?.[0];
  return typeof path === 'string' && path !== '';
}

async function removeIfStillEmpty(path: string): Promise<void> {
  try {
    if ((await stat(path)).size === 0) await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** A lock held by another process is worth retrying (exit 1); anything else about the file is a failure too. */
function openError(path: string, err: unknown): SalesflowError {
  const message = (err as Error).message;
  const holder = /Conflicting lock is held in (.+?) \(PID (\d+)\)/.exec(message);
  if (holder || /Could not set lock on file/.test(message)) {
    return new WarehouseLockedError(
      `duckdb:${path}`,
      holder ? { program: holder[1], pid: Number(holder[2]) } : undefined,
      err,
    );
  }
  return new SalesflowError(`cannot open DuckDB warehouse ${path}: ${message}`, {
    code: 'WAREHOUSE_OPEN',
    context: { file: path },
    cause: err,
  });
}

function readerSql(path: string, format: LoadOptions['format']): string {
  const lit = duckdbString(path);
  // Text in, typed by the INSERT's cast to the table's columns: a value that does
  // not fit fails the whole load, as a BigQuery load job does.
  switch (format) {
    case 'PARQUET':
      return `read_parquet(${lit})`;
    case 'NEWLINE_DELIMITED_JSON':
      return `read_json(${lit}, format = 'newline_delimited')`;
    case 'CSV':
      return `read_csv(${lit}, header = true, all_varchar = true)`;
  }
}

/** Select the table's columns from the source (cast strictly), NULL for the ones it lacks. */
function selectList(tableColumns: readonly { name: string; type: string }[], sourceColumns: string[]): string {
  const present = new Set(sourceColumns);
  return tableColumns
    .map((c) => {
      const quoted = duckdbIdent(c.name);
      return present.has(c.name) ? `${strictCastSql(quoted, c.type, c.name)} AS ${quoted}` : `NULL AS ${quoted}`;
    })
    .join(', ');
}

function bigqueryTypeOfDuckdb(t: string): string {
  if (/^DECIMAL/i.test(t)) return 'NUMERIC';
  if (/INT/i.test(t)) return 'INT64';
  if (/DOUBLE|FLOAT|REAL/i.test(t)) return 'FLOAT64';
  if (/BOOL/i.test(t)) return 'BOOL';
  if (/^DATE$/i.test(t)) return 'DATE';
  if (/TIMESTAMP/i.test(t)) return 'TIMESTAMP';
  return 'STRING';
}
