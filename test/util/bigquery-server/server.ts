/**
 * A BigQuery REST API v2 server backed by DuckDB, for tests and local runs: the
 * real @google-cloud/bigquery client talks to it. Datasets are DuckDB schemas
 * (one project per server), tables are DuckDB tables carrying their BigQuery
 * metadata (schema, timePartitioning, clustering), and jobs run synchronously
 * (they are DONE when jobs.insert returns). SQL is translated by translate.ts.
 *
 * Routes, with or without the /bigquery/v2 prefix (BIGQUERY_EMULATOR_HOST drops
 * it; apiEndpoint keeps it) and uploads under /upload/bigquery/v2:
 *   datasets get/insert/delete/list · tables get/insert/delete/list ·
 *   tabledata.insertAll · jobs.insert (query, load from gs:// or an upload) ·
 *   jobs.get · jobs.query · jobs.getQueryResults
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { createDuckdb } from '../../../shared/duckdb-instance.ts';
import {
  insertTextRows,
  inTransaction,
  MissingParamError,
  runScript,
  strictCastSql,
} from '../../../warehouse/duckdb-exec.ts';
import { checkRow } from '../../../warehouse/row-check.ts';
import { duckdbTypeOf } from '../../../warehouse/tables.ts';
import type { FieldType } from '../../../warehouse/warehouse.ts';
import { type BqField, type BqRow, encodeResult } from './encode.ts';
import { BqHttpError, duplicate, errorBody, invalid, invalidQuery, notFound } from './errors.ts';
import { parseMultipartRelated } from '../multipart.ts';
import { statementTypeOf } from './statement-type.ts';
import { translateBigQuerySql } from './translate.ts';
import {
  concurrentUpdate,
  hasTransaction,
  isDuckdbConflict,
  mutationTarget,
  type OpenTransaction,
  TransactionTracker,
  transactionBoundary,
} from './transactions.ts';
import { splitStatements } from './statement-type.ts';
import { duckdbIdent as ident, duckdbString } from '../../../shared/duckdb-quote.ts';

export interface BigQueryServerOptions {
  projectId?: string;
  /** Where gs:// load sources are read from (the GCS test server); default STORAGE_EMULATOR_HOST. */
  gcsEndpoint?: string;
  /** Log each request to stderr. */
  verbose?: boolean;
}

/** A test-only path beside the API (BigQuery's own paths all start with /projects/). */
export const STATS_PATH = '/_test/stats';

/** What `GET /_test/stats` answers: counters of this server's life so far. */
export interface BigQueryServerStats {
  /** Transactions aborted for a concurrent update (and run again by their client, if it retries). */
  transactions: { aborted: number };
}

interface TableMeta {
  datasetId: string;
  tableId: string;
  type: 'TABLE' | 'VIEW';
  schema?: { fields: BqField[] };
  timePartitioning?: unknown;
  clustering?: unknown;
  description?: string;
  view?: { query: string; useLegacySql?: boolean };
  creationTime: string;
}

interface JobRecord {
  resource: Record<string, unknown>;
  schema?: { fields: BqField[] };
  rows?: BqRow[];
  error?: { reason: string; message: string };
  affectedRows?: number;
}

interface ResumableUpload {
  metadata: Record<string, unknown>;
  chunks: Buffer[];
  received: number;
}

const LEGACY_TO_STANDARD: Record<string, FieldType> = {
  INTEGER: 'INT64',
  INT64: 'INT64',
  FLOAT: 'FLOAT64',
  FLOAT64: 'FLOAT64',
  BOOLEAN: 'BOOL',
  BOOL: 'BOOL',
  STRING: 'STRING',
  NUMERIC: 'NUMERIC',
  BIGNUMERIC: 'NUMERIC',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
};

const DEFAULT_MAX_RESULTS = 100_000;

export class BigQueryServer {
  readonly projectId: string;
  private readonly gcsEndpoint?: string;
  private readonly verbose: boolean;
  private instance!: DuckDBInstance;
  private conn!: DuckDBConnection;
  private http!: Server;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly datasets = new Map<string, Record<string, unknown>>();
  private readonly tables = new Map<string, TableMeta>();
  private readonly jobs = new Map<string, JobRecord>();
  private readonly insertIds = new Map<string, Set<string>>();
  private readonly uploads = new Map<string, ResumableUpload>();
  url = '';
  /** Concurrent transactions and their conflicts (transactions.ts). */
  readonly transactions = new TransactionTracker();
  /**
   * Tests: awaited before each statement of a transaction script runs, to hold
   * one job at a chosen point while another runs (an interleaving on purpose).
   */
  beforeTransactionStatement?: (statement: { jobId: string; index: number; sql: string }) => Promise<void> | void;

  constructor(opts: BigQueryServerOptions = {}) {
    this.projectId = opts.projectId ?? 'test-project';
    this.gcsEndpoint = opts.gcsEndpoint ?? process.env.STORAGE_EMULATOR_HOST;
    this.verbose = opts.verbose ?? false;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.instance = await createDuckdb(':memory:');
    this.conn = await this.instance.connect();
    await this.conn.run("SET TimeZone = 'UTC'");
    this.http = createServer((req, res) => {
      this.handle(req, res).catch((err) => this.sendError(res, err));
    });
    await new Promise<void>((resolve) => this.http.listen(port, host, resolve));
    const addr = this.http.address();
    if (addr === null || typeof addr === 'string') throw new Error('server has no TCP address');
    this.url = `http://${host}:${addr.port}`;
    return this.url;
  }

  async close(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    await this.queue.catch(() => {});
    this.conn.closeSync();
    this.instance.closeSync();
  }

  /** One DuckDB statement sequence at a time: `SET schema` + script must not interleave. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => {});
    return next;
  }

  /** The counters `GET /_test/stats` answers. */
  stats(): BigQueryServerStats {
    return { transactions: { aborted: this.transactions.aborted } };
  }

  // ---- HTTP plumbing -------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let path = url.pathname;
    let upload = false;
    if (path.startsWith('/upload/bigquery/v2/')) {
      upload = true;
      path = path.slice('/upload/bigquery/v2'.length);
    } else if (path.startsWith('/bigquery/v2/')) {
      path = path.slice('/bigquery/v2'.length);
    }
    const body = await readBody(req);
    if (this.verbose) process.stderr.write(`bigquery-server: ${req.method} ${req.url}\n`);
    const method = req.method ?? 'GET';
    // Outside BigQuery's API, for who runs this server as a process of its own (benchmarks):
    // what tests read in-process, e.g. how many transactions were aborted by a concurrent one.
    if (path === STATS_PATH && method === 'GET') return sendJson(res, 200, this.stats());
    const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (seg[0] !== 'projects' || seg.length < 2) throw notFound(`route ${method} ${path}`);
    const json = () => {
      if (body.length === 0) return {};
      try {
        return JSON.parse(body.toString('utf8'));
      } catch {
        throw invalid('request body is not valid JSON');
      }
    };
    const q = url.searchParams;
    const send = (status: number, payload: unknown) => sendJson(res, status, payload);

    if (upload) {
      if (seg[2] !== 'jobs' || seg.length !== 3) throw notFound(`upload route ${path}`);
      return this.handleUpload(req, res, method, q, body);
    }
    // /projects/p/datasets[/d[/tables[/t[/insertAll|/data]]]]
    if (seg[2] === 'datasets') {
      const datasetId = seg[3];
      if (seg.length === 3 && method === 'GET') return send(200, this.listDatasets());
      if (seg.length === 3 && method === 'POST') return send(200, await this.insertDataset(json()));
      if (seg.length === 4 && method === 'GET') return send(200, this.getDataset(datasetId));
      if (seg.length === 4 && method === 'DELETE') {
        await this.deleteDataset(datasetId, q.get('deleteContents') === 'true');
        return sendEmpty(res);
      }
      if (seg.length === 4 && method === 'PATCH') return send(200, this.getDataset(datasetId));
      if (seg[4] === 'tables') {
        const tableId = seg[5];
        if (seg.length === 5 && method === 'GET') return send(200, this.listTables(datasetId));
        if (seg.length === 5 && method === 'POST') return send(200, await this.insertTable(datasetId, json()));
        if (seg.length === 6 && method === 'GET') return send(200, await this.getTable(datasetId, tableId));
        if (seg.length === 6 && method === 'DELETE') {
          await this.deleteTable(datasetId, tableId);
          return sendEmpty(res);
        }
        if (seg.length === 7 && seg[6] === 'insertAll' && method === 'POST') {
          return send(200, await this.insertAll(datasetId, tableId, json()));
        }
        if (seg.length === 7 && seg[6] === 'data' && method === 'GET') {
          return send(200, await this.listTableData(datasetId, tableId, q));
        }
      }
    }
    if (seg[2] === 'jobs') {
      if (seg.length === 3 && method === 'POST') return send(200, await this.insertJob(json()));
      if (seg.length === 4 && method === 'GET') return send(200, this.getJob(seg[3]).resource);
      if (seg.length === 5 && seg[4] === 'cancel' && method === 'POST') {
        return send(200, { kind: 'bigquery#jobCancelResponse', job: this.getJob(seg[3]).resource });
      }
    }
    if (seg[2] === 'queries') {
      if (seg.length === 3 && method === 'POST') return send(200, await this.runQueryRequest(json()));
      if (seg.length === 4 && method === 'GET') return send(200, this.getQueryResults(seg[3], q));
    }
    throw notFound(`route ${method} ${path}`);
  }

  private sendError(res: ServerResponse, err: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof BqHttpError) {
      sendJson(res, err.status, errorBody(err.status, err.reason, err.message, err.location));
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    sendJson(res, 500, errorBody(500, 'backendError', message));
  }

  // ---- datasets --------------------------------------------------------------

  private datasetResource(datasetId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      kind: 'bigquery#dataset',
      id: `${this.projectId}:${datasetId}`,
      datasetReference: { projectId: this.projectId, datasetId },
      location: 'US',
      ...extra,
    };
  }

  private listDatasets() {
    return {
      kind: 'bigquery#datasetList',
      datasets: [...this.datasets.values()].map((d) => ({ ...d, kind: 'bigquery#dataset' })),
    };
  }

  private async insertDataset(body: { datasetReference?: { datasetId?: string }; location?: string }) {
    const datasetId = body.datasetReference?.datasetId;
    if (!datasetId || !/^\w{1,1024}$/.test(datasetId)) throw invalid(`invalid dataset id ${datasetId}`);
    if (this.datasets.has(datasetId)) throw duplicate(`Dataset ${this.projectId}:${datasetId}`);
    await this.serial(() => this.conn.run(`CREATE SCHEMA IF NOT EXISTS ${ident(datasetId)}`));
    const resource = this.datasetResource(datasetId, {
      location: body.location ?? 'US',
      creationTime: String(Date.now()),
    });
    this.datasets.set(datasetId, resource);
    return resource;
  }

  private getDataset(datasetId: string) {
    const d = this.datasets.get(datasetId);
    if (!d) throw notFound(`Dataset ${this.projectId}:${datasetId}`);
    return d;
  }

  private async deleteDataset(datasetId: string, contents: boolean): Promise<void> {
    this.getDataset(datasetId);
    const tables = [...this.tables.values()].filter((t) => t.datasetId === datasetId);
    if (tables.length > 0 && !contents) {
      throw new BqHttpError(400, 'resourceInUse', `Dataset ${this.projectId}:${datasetId} is still in use`);
    }
    await this.serial(() => this.conn.run(`DROP SCHEMA IF EXISTS ${ident(datasetId)} CASCADE`));
    for (const t of tables) this.tables.delete(key(datasetId, t.tableId));
    this.datasets.delete(datasetId);
  }

  // ---- tables ----------------------------------------------------------------

  private tableResource(meta: TableMeta, numRows?: number): Record<string, unknown> {
    return {
      kind: 'bigquery#table',
      id: `${this.projectId}:${meta.datasetId}.${meta.tableId}`,
      tableReference: { projectId: this.projectId, datasetId: meta.datasetId, tableId: meta.tableId },
      type: meta.type,
      schema: meta.schema,
      creationTime: meta.creationTime,
      location: 'US',
      ...(meta.description ? { description: meta.description } : {}),
      ...(meta.timePartitioning ? { timePartitioning: meta.timePartitioning } : {}),
      ...(meta.clustering ? { clustering: meta.clustering } : {}),
      ...(meta.view ? { view: meta.view } : {}),
      ...(numRows !== undefined ? { numRows: String(numRows) } : {}),
    };
  }

  private listTables(datasetId: string) {
    this.getDataset(datasetId);
    const tables = [...this.tables.values()]
      .filter((t) => t.datasetId === datasetId)
      .map((t) => {
        const r = this.tableResource(t);
        delete r.schema;
        return r;
      });
    return { kind: 'bigquery#tableList', tables, totalItems: tables.length };
  }

  private async insertTable(
    datasetId: string,
    body: {
      tableReference?: { tableId?: string };
      schema?: { fields?: BqField[] };
      timePartitioning?: { field?: string };
      clustering?: { fields?: string[] };
      description?: string;
      view?: { query?: string; useLegacySql?: boolean };
    },
  ) {
    this.getDataset(datasetId);
    const tableId = body.tableReference?.tableId;
    if (!tableId || !/^[\w-]{1,1024}$/.test(tableId)) throw invalid(`invalid table id ${tableId}`);
    if (this.tables.has(key(datasetId, tableId))) throw duplicate(`Table ${this.projectId}:${datasetId}.${tableId}`);
    const creationTime = String(Date.now());
    if (body.view?.query) {
      if (body.view.useLegacySql) throw invalid('legacy SQL views are not supported');
      await this.execute(
        `CREATE VIEW ${ident(datasetId)}.${ident(tableId)} AS ${translateBigQuerySql(body.view.query)}`,
        datasetId,
      );
      const meta: TableMeta = {
        datasetId,
        tableId,
        type: 'VIEW',
        view: { query: body.view.query, useLegacySql: false },
        description: body.description,
        creationTime,
      };
      meta.schema = await this.schemaFromCatalog(datasetId, tableId);
      this.tables.set(key(datasetId, tableId), meta);
      return this.tableResource(meta);
    }
    const fields = body.schema?.fields ?? [];
    if (fields.length === 0) throw invalid('a table needs a schema with at least one field', 'schema');
    const names = new Set<string>();
    const cols = fields.map((f) => {
      if (!f.name || names.has(f.name.toLowerCase())) throw invalid(`duplicate or empty field name ${f.name}`);
      names.add(f.name.toLowerCase());
      if (!(f.type in LEGACY_TO_STANDARD)) throw invalid(`field ${f.name}: type ${f.type} is not supported here`);
      if (f.mode === 'REPEATED') throw invalid(`field ${f.name}: REPEATED is not supported here`);
      return `${ident(f.name)} ${duckdbTypeOf({ ...f, type: LEGACY_TO_STANDARD[f.type] })}${f.mode === 'REQUIRED' ? ' NOT NULL' : ''}`;
    });
    const partField = body.timePartitioning?.field;
    if (partField) {
      const f = fields.find((x) => x.name === partField);
      if (!f || !['DATE', 'TIMESTAMP'].includes(LEGACY_TO_STANDARD[f.type])) {
        throw invalid(`timePartitioning field ${partField} must be a DATE or TIMESTAMP column`, 'timePartitioning');
      }
    }
    for (const c of body.clustering?.fields ?? []) {
      if (!names.has(c.toLowerCase())) throw invalid(`clustering field ${c} is not in the schema`, 'clustering');
    }
    await this.execute(`CREATE TABLE ${ident(datasetId)}.${ident(tableId)} (${cols.join(', ')})`, datasetId);
    const meta: TableMeta = {
      datasetId,
      tableId,
      type: 'TABLE',
      schema: { fields: fields.map((f) => ({ ...f, mode: f.mode ?? 'NULLABLE' })) },
      timePartitioning: body.timePartitioning,
      clustering: body.clustering,
      description: body.description,
      creationTime,
    };
    this.tables.set(key(datasetId, tableId), meta);
    return this.tableResource(meta);
  }

  private async getTable(datasetId: string, tableId: string) {
    this.getDataset(datasetId);
    const meta = this.tables.get(key(datasetId, tableId));
    if (!meta) throw notFound(`Table ${this.projectId}:${datasetId}.${tableId}`);
    if (meta.type === 'VIEW') return this.tableResource(meta);
    const r = await this.serial(() =>
      this.conn.runAndReadAll(`SELECT count(*) AS n FROM ${ident(datasetId)}.${ident(tableId)}`),
    );
    return this.tableResource(meta, Number(r.getRowsJson()[0][0]));
  }

  private async deleteTable(datasetId: string, tableId: string): Promise<void> {
    const meta = this.tables.get(key(datasetId, tableId));
    if (!meta) throw notFound(`Table ${this.projectId}:${datasetId}.${tableId}`);
    await this.serial(() =>
      this.conn.run(`DROP ${meta.type === 'VIEW' ? 'VIEW' : 'TABLE'} ${ident(datasetId)}.${ident(tableId)}`),
    );
    this.tables.delete(key(datasetId, tableId));
  }

  private async schemaFromCatalog(datasetId: string, tableId: string): Promise<{ fields: BqField[] }> {
    return this.serial(async () => {
      const r = await this.conn.run(`SELECT * FROM ${ident(datasetId)}.${ident(tableId)} LIMIT 0`);
      return (await encodeResult(r, { int64Timestamps: true })).schema;
    });
  }

  /** Keep the metadata map in step with DDL run through queries (CREATE/DROP TABLE/VIEW). */
  private async syncCatalog(opts: { columns?: boolean } = {}): Promise<void> {
    const r = await this.serial(() =>
      this.conn.runAndReadAll(
        "SELECT schema_name AS s, table_name AS t, 'TABLE' AS k FROM duckdb_tables() WHERE database_name = 'memory' UNION ALL SELECT schema_name, view_name, 'VIEW' FROM duckdb_views() WHERE NOT internal AND database_name = 'memory'",
      ),
    );
    const present = new Set<string>();
    for (const [s, t, k] of r.getRowsJson() as [string, string, string][]) {
      if (!this.datasets.has(s)) continue;
      present.add(key(s, t));
      const existing = this.tables.get(key(s, t));
      if (existing && existing.type === k && k === 'TABLE') {
        if (!opts.columns) continue;
        // Keep the fields as created (modes, descriptions); add what ALTER TABLE … ADD COLUMN added, drop what
        // DROP COLUMN dropped.
        const catalog = (await this.schemaFromCatalog(s, t)).fields;
        const has = (list: readonly BqField[], name: string) =>
          list.some((f) => f.name.toLowerCase() === name.toLowerCase());
        const fields = (existing.schema?.fields ?? []).filter((f) => has(catalog, f.name));
        existing.schema = { fields: [...fields, ...catalog.filter((c) => !has(fields, c.name))] };
        continue;
      }
      const meta: TableMeta = existing ?? {
        datasetId: s,
        tableId: t,
        type: k as 'TABLE' | 'VIEW',
        creationTime: String(Date.now()),
      };
      meta.type = k as 'TABLE' | 'VIEW';
      // A view over a dropped table stays, as on BigQuery; it fails when queried.
      meta.schema = await this.schemaFromCatalog(s, t).catch(() => undefined);
      this.tables.set(key(s, t), meta);
    }
    for (const k of [...this.tables.keys()]) if (!present.has(k)) this.tables.delete(k);
  }

  private fieldsOf(datasetId: string, tableId: string): BqField[] {
    this.getDataset(datasetId);
    const meta = this.tables.get(key(datasetId, tableId));
    if (meta?.type !== 'TABLE') throw notFound(`Table ${this.projectId}:${datasetId}.${tableId}`);
    return meta.schema?.fields ?? [];
  }

  /** A table's fields with standard type names (INT64, FLOAT64, BOOL…), for writers outside the REST API. */
  tableFields(datasetId: string, tableId: string): BqField[] {
    return this.fieldsOf(datasetId, tableId).map((f) => ({ ...f, type: LEGACY_TO_STANDARD[f.type] }));
  }

  /** When the table was created (ms since the epoch, as the REST API reports it). */
  tableCreationTime(datasetId: string, tableId: string): number {
    this.fieldsOf(datasetId, tableId);
    return Number(this.tables.get(key(datasetId, tableId))!.creationTime);
  }

  /**
   * Rows given as text values of the named columns (cast to the column types in
   * SQL), several tables' batches in one transaction: all land or none do.
   */
  async insertRowBatches(
    batches: readonly {
      datasetId: string;
      tableId: string;
      columns: readonly string[];
      rows: readonly (readonly (string | null)[])[];
    }[],
  ): Promise<number> {
    const targets = batches.map((b) => {
      const fields = new Map(this.tableFields(b.datasetId, b.tableId).map((f) => [f.name.toLowerCase(), f]));
      const columns = b.columns.map((name) => {
        const f = fields.get(name.toLowerCase());
        if (!f) throw invalid(`no such field: ${name}`, name);
        return { name: f.name, type: duckdbTypeOf(f) };
      });
      return { target: `${ident(b.datasetId)}.${ident(b.tableId)}`, columns, rows: b.rows };
    });
    return this.serial(() =>
      inTransaction(this.conn, async () => {
        let total = 0;
        for (const t of targets) total += await insertTextRows(this.conn, t.target, t.columns, t.rows);
        return total;
      }),
    );
  }

  // ---- tabledata -------------------------------------------------------------

  private async insertAll(
    datasetId: string,
    tableId: string,
    body: {
      rows?: { insertId?: string; json?: Record<string, unknown> }[];
      skipInvalidRows?: boolean;
      ignoreUnknownValues?: boolean;
    },
  ) {
    const fields = this.tableFields(datasetId, tableId);
    const rows = body.rows ?? [];
    if (rows.length === 0) throw invalid('No rows present in the request.', 'rows');
    const seen = this.insertIds.get(key(datasetId, tableId)) ?? new Set<string>();
    this.insertIds.set(key(datasetId, tableId), seen);
    const insertErrors: { index: number; errors: { reason: string; location: string; message: string }[] }[] = [];
    const valid: { index: number; values: (string | null)[]; insertId?: string }[] = [];
    rows.forEach((r, index) => {
      let json = r.json ?? {};
      if (body.ignoreUnknownValues) {
        json = Object.fromEntries(Object.entries(json).filter(([k]) => fields.some((f) => f.name === k)));
      }
      const check = checkRow(fields, json);
      if (!check.ok) {
        insertErrors.push({
          index,
          errors: check.reasons.map((message) => ({
            reason: 'invalid',
            location: message.split(':')[0].replace(/^(no such field|missing required field)$/, ''),
            message,
          })),
        });
      } else valid.push({ index, values: check.values, insertId: r.insertId });
    });
    if (insertErrors.length > 0 && !body.skipInvalidRows) {
      // BigQuery inserts nothing; the valid rows are reported as stopped.
      for (const v of valid)
        insertErrors.push({ index: v.index, errors: [{ reason: 'stopped', location: '', message: '' }] });
      insertErrors.sort((a, b) => a.index - b.index);
      return { kind: 'bigquery#tableDataInsertAllResponse', insertErrors };
    }
    const fresh: (string | null)[][] = [];
    const batch = new Set<string>();
    for (const v of valid) {
      if (v.insertId) {
        if (seen.has(v.insertId) || batch.has(v.insertId)) continue;
        batch.add(v.insertId);
      }
      fresh.push(v.values);
    }
    const columns = fields.map((f) => ({ name: f.name, type: duckdbTypeOf(f) }));
    await this.serial(() => insertTextRows(this.conn, `${ident(datasetId)}.${ident(tableId)}`, columns, fresh));
    for (const id of batch) seen.add(id);
    return {
      kind: 'bigquery#tableDataInsertAllResponse',
      ...(insertErrors.length > 0 ? { insertErrors } : {}),
    };
  }

  private async listTableData(datasetId: string, tableId: string, q: URLSearchParams) {
    this.fieldsOf(datasetId, tableId);
    const { rows } = await this.serial(async () =>
      encodeResult(await this.conn.run(`SELECT * FROM ${ident(datasetId)}.${ident(tableId)}`), {
        int64Timestamps: q.get('formatOptions.useInt64Timestamp') === 'true',
      }),
    );
    const start = Number(q.get('pageToken') ?? q.get('startIndex') ?? 0);
    const max = Number(q.get('maxResults') ?? DEFAULT_MAX_RESULTS);
    const page = rows.slice(start, start + max);
    return {
      kind: 'bigquery#tableDataList',
      totalRows: String(rows.length),
      rows: page,
      ...(start + max < rows.length ? { pageToken: String(start + max) } : {}),
    };
  }

  // ---- jobs ------------------------------------------------------------------

  private newJobResource(body: Record<string, unknown>, type: 'QUERY' | 'LOAD'): Record<string, unknown> {
    const ref = (body.jobReference ?? {}) as { jobId?: string; location?: string };
    const jobId = ref.jobId ?? `job_${randomUUID().replaceAll('-', '')}`;
    if (this.jobs.has(jobId)) throw duplicate(`Job ${this.projectId}:US.${jobId}`);
    const now = String(Date.now());
    return {
      kind: 'bigquery#job',
      id: `${this.projectId}:${ref.location ?? 'US'}.${jobId}`,
      selfLink: `${this.url}/bigquery/v2/projects/${this.projectId}/jobs/${jobId}`,
      jobReference: { projectId: this.projectId, jobId, location: ref.location ?? 'US' },
      configuration: { ...(body.configuration as object), jobType: type },
      status: { state: 'RUNNING' },
      statistics: { creationTime: now, startTime: now },
    };
  }

  private finish(job: JobRecord, err?: unknown): void {
    const statistics = job.resource.statistics as Record<string, unknown>;
    statistics.endTime = String(Date.now());
    if (err !== undefined) {
      const e =
        err instanceof BqHttpError
          ? { reason: err.reason, message: err.message }
          : { reason: 'invalidQuery', message: err instanceof Error ? err.message : String(err) };
      job.error = e;
      job.resource.status = { state: 'DONE', errorResult: e, errors: [e] };
    } else {
      job.resource.status = { state: 'DONE' };
    }
    const ref = job.resource.jobReference as { jobId: string };
    this.jobs.set(ref.jobId, job);
  }

  private getJob(jobId: string): JobRecord {
    const job = this.jobs.get(jobId);
    if (!job) throw notFound(`Job ${this.projectId}:US.${jobId}`);
    return job;
  }

  private async insertJob(body: Record<string, unknown>, data?: Buffer): Promise<Record<string, unknown>> {
    const config = (body.configuration ?? {}) as { query?: QueryConfig; load?: LoadConfig; dryRun?: boolean };
    if (config.query && config.dryRun) {
      // A dry run answers with the statement's type or refuses it with a 400, and is not kept as a job.
      const job: JobRecord = { resource: this.newJobResource(body, 'QUERY') };
      await this.runQueryJob(job, config.query, true);
      job.resource.status = { state: 'DONE' };
      return job.resource;
    }
    if (config.query) {
      const job: JobRecord = { resource: this.newJobResource(body, 'QUERY') };
      try {
        await this.runQueryJob(job, config.query);
        this.finish(job);
      } catch (err) {
        this.finish(job, err);
      }
      return job.resource;
    }
    if (config.load) {
      const job: JobRecord = { resource: this.newJobResource(body, 'LOAD') };
      try {
        await this.runLoadJob(job, config.load, data);
        this.finish(job);
      } catch (err) {
        this.finish(job, err instanceof BqHttpError ? err : invalid(err instanceof Error ? err.message : String(err)));
      }
      return job.resource;
    }
    throw invalid('only query and load jobs are supported here', 'configuration');
  }

  private async runQueryJob(job: JobRecord, config: QueryConfig, dryRun = false): Promise<void> {
    if (config.useLegacySql === true) throw invalidQuery('legacy SQL is not supported; set useLegacySql: false');
    if (!config.query) throw invalidQuery('query is empty');
    const paramTypes: Record<string, string> = {};
    const bindings: Record<string, string | null> = {};
    for (const p of config.queryParameters ?? []) {
      if (!p.name) throw invalidQuery('only named parameters are supported (parameterMode NAMED)');
      const type = LEGACY_TO_STANDARD[p.parameterType?.type ?? ''];
      if (!type) throw invalidQuery(`parameter @${p.name}: type ${p.parameterType?.type} is not supported here`);
      paramTypes[p.name] = duckdbTypeOf({ type });
      const v = p.parameterValue?.value;
      bindings[p.name] = v === undefined || v === null ? null : String(v);
    }
    const sql = translateBigQuerySql(config.query, { paramTypes });
    const dataset = config.defaultDataset?.datasetId;
    if (dataset) this.getDataset(dataset);
    let statementType = 'SELECT';
    let result: Awaited<ReturnType<typeof encodeResult>> | undefined;
    let affected = 0;
    // A script holding a transaction runs beside other jobs, on its own connection (transactions.ts).
    const concurrent = !dryRun && hasTransaction(config.query);
    await this.serial(async () => {
      await this.conn.run(`SET schema = ${duckdbString(dataset ?? 'main')}`);
      try {
        statementType = await statementTypeOf(this.conn, config.query!, sql);
        // A dry run parses and names the statement, like BigQuery's; nothing runs.
        if (dryRun || concurrent) return;
        const r = await runScript(this.conn, sql, bindings);
        affected = r.affectedRows;
        if (r.returnsRows) result = await encodeResult(r.last, { int64Timestamps: true });
      } catch (err) {
        throw queryError(err);
      } finally {
        await this.conn.run("SET schema = 'main'").catch(() => {});
      }
    });
    if (concurrent) {
      const jobId = (job.resource.jobReference as { jobId: string }).jobId;
      ({ affected, result } = await this.runTransactionScript(jobId, config.query, paramTypes, bindings, dataset));
    }
    const script = statementType === 'SCRIPT';
    const stats = job.resource.statistics as Record<string, unknown>;
    if (dryRun) {
      stats.query = { statementType, totalBytesProcessed: '0', cacheHit: false };
      return;
    }
    if (/^(CREATE|DROP|ALTER)_|^SCRIPT$/.test(statementType)) {
      await this.syncCatalog({ columns: /\bALTER\s+TABLE\b/i.test(config.query) });
    }
    stats.query = {
      statementType,
      totalBytesProcessed: '0',
      cacheHit: false,
      ...(result === undefined || statementType !== 'SELECT' ? { numDmlAffectedRows: String(affected) } : {}),
      ...(result ? { schema: result.schema } : {}),
    };
    stats.numChildJobs = script ? '1' : undefined;
    job.schema = result?.schema;
    job.rows = result?.rows;
    job.affectedRows = affected;
  }

  /**
   * A script holding a transaction, on a connection of its own, statement by
   * statement: concurrent transactions interleave, and one that mutates a table
   * another has mutated since it began is aborted as BigQuery aborts it.
   */
  private async runTransactionScript(
    jobId: string,
    bigquerySql: string,
    paramTypes: Record<string, string>,
    bindings: Record<string, string | null>,
    dataset: string | undefined,
  ): Promise<{ affected: number; result: Awaited<ReturnType<typeof encodeResult>> | undefined }> {
    const conn = await this.instance.connect();
    let open: OpenTransaction | undefined;
    let affected = 0;
    let result: Awaited<ReturnType<typeof encodeResult>> | undefined;
    try {
      await conn.run(`SET schema = ${duckdbString(dataset ?? 'main')}`);
      const statements = splitStatements(bigquerySql);
      for (const [index, statement] of statements.entries()) {
        await this.beforeTransactionStatement?.({ jobId, index, sql: statement });
        const boundary = transactionBoundary(statement);
        const target = open ? mutationTarget(statement, dataset) : undefined;
        let translated = translateBigQuerySql(statement, { paramTypes });
        // A MERGE that only inserted mutated nothing: its actions tell.
        if (target?.merge) translated = `${translated.trim().replace(/;$/, '')} RETURNING merge_action`;
        let r: Awaited<ReturnType<typeof runScript>>;
        let changed: number;
        let mutated: boolean;
        try {
          r = await runScript(conn, translated, bindings);
          if (target?.merge) {
            const actions = (await r.last.getRowsJson()).map((row) => row[0]);
            changed = actions.length;
            mutated = actions.some((a) => a !== 'INSERT');
          } else {
            changed = r.affectedRows;
            mutated = target !== undefined && changed > 0;
          }
        } catch (err) {
          if (open && isDuckdbConflict(err)) {
            this.transactions.countAbort();
            throw concurrentUpdate(this.projectId, target?.table ?? 'unknown');
          }
          throw queryError(err);
        }
        if (open && target && mutated) {
          try {
            open.mutated(target.table);
          } catch (err) {
            await conn.run('ROLLBACK').catch(() => {});
            throw err;
          }
        }
        if (boundary === 'begin') {
          // DuckDB takes a transaction's snapshot at its first read of the database, BigQuery at BEGIN.
          await conn.run('SELECT 1 FROM duckdb_tables() LIMIT 0');
          open = this.transactions.begin(this.projectId);
        } else if (boundary === 'commit') {
          open?.commit();
          open = undefined;
        } else if (boundary === 'rollback') {
          open?.end();
          open = undefined;
        }
        affected += changed;
        if (index === statements.length - 1 && r.returnsRows && !target?.merge) {
          result = await encodeResult(r.last, { int64Timestamps: true });
        }
      }
      return { affected, result };
    } finally {
      // A script that ends inside its transaction rolls it back, as BigQuery does (closing the connection).
      open?.end();
      conn.closeSync();
    }
  }

  /** jobs.query: run, then answer with the first page like getQueryResults. */
  private async runQueryRequest(body: QueryConfig & { maxResults?: number; jobCreationMode?: string }) {
    const job: JobRecord = { resource: this.newJobResource({ configuration: { query: body } }, 'QUERY') };
    try {
      await this.runQueryJob(job, body);
      this.finish(job);
    } catch (err) {
      this.finish(job, err);
      throw err;
    }
    const page = this.page(job, 0, body.maxResults);
    return { kind: 'bigquery#queryResponse', jobReference: job.resource.jobReference, jobComplete: true, ...page };
  }

  private getQueryResults(jobId: string, q: URLSearchParams) {
    const job = this.getJob(jobId);
    if (job.error) throw new BqHttpError(400, job.error.reason, job.error.message);
    const start = Number(q.get('pageToken') ?? q.get('startIndex') ?? 0);
    const max = q.get('maxResults') ? Number(q.get('maxResults')) : undefined;
    const page = this.page(job, start, max);
    const useInt64 = q.get('formatOptions.useInt64Timestamp') !== 'false';
    if (!useInt64 && page.rows) page.rows = secondsTimestamps(page.rows, job.schema?.fields ?? []);
    return {
      kind: 'bigquery#getQueryResultsResponse',
      jobReference: job.resource.jobReference,
      jobComplete: true,
      ...page,
    };
  }

  private page(job: JobRecord, start: number, maxResults?: number) {
    const max = maxResults && maxResults > 0 ? maxResults : DEFAULT_MAX_RESULTS;
    if (!job.schema || !job.rows) {
      return { totalRows: '0', numDmlAffectedRows: String(job.affectedRows ?? 0) } as {
        totalRows: string;
        rows?: BqRow[];
        schema?: unknown;
        pageToken?: string;
        numDmlAffectedRows?: string;
      };
    }
    const rows = job.rows.slice(start, start + max);
    return {
      schema: job.schema,
      totalRows: String(job.rows.length),
      rows,
      ...(start + max < job.rows.length ? { pageToken: String(start + max) } : {}),
    } as { totalRows: string; rows?: BqRow[]; schema?: unknown; pageToken?: string; numDmlAffectedRows?: string };
  }

  // ---- loads -----------------------------------------------------------------

  private async handleUpload(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    q: URLSearchParams,
    body: Buffer,
  ): Promise<void> {
    const uploadType = q.get('uploadType');
    if (method === 'POST' && uploadType === 'multipart') {
      const parts = parseMultipartRelated(String(req.headers['content-type'] ?? ''), body);
      if (parts.length < 2) throw invalid('multipart upload needs a metadata part and a media part');
      const metadata = JSON.parse(parts[0].body.toString('utf8'));
      sendJson(res, 200, await this.insertJob(metadata, parts[1].body));
      return;
    }
    if (method === 'POST' && uploadType === 'resumable') {
      const id = randomUUID();
      this.uploads.set(id, { metadata: body.length ? JSON.parse(body.toString('utf8')) : {}, chunks: [], received: 0 });
      const proto = req.headers['x-forwarded-proto'] ?? 'http';
      res.setHeader(
        'Location',
        `${proto}://${req.headers.host}/upload/bigquery/v2/projects/${this.projectId}/jobs?uploadType=resumable&upload_id=${id}`,
      );
      sendJson(res, 200, {});
      return;
    }
    if ((method === 'PUT' || method === 'POST') && q.get('upload_id')) {
      const upload = this.uploads.get(q.get('upload_id')!);
      if (!upload) throw notFound(`upload ${q.get('upload_id')}`);
      upload.chunks.push(body);
      upload.received += body.length;
      // Content-Range: bytes a-b/total | bytes */total | bytes a-b/*
      const range = String(req.headers['content-range'] ?? '');
      const total = /\/(\d+)$/.exec(range)?.[1];
      if (range && total === undefined) {
        res.statusCode = 308;
        if (upload.received > 0) res.setHeader('Range', `bytes=0-${upload.received - 1}`);
        res.end();
        return;
      }
      this.uploads.delete(q.get('upload_id')!);
      sendJson(res, 200, await this.insertJob(upload.metadata, Buffer.concat(upload.chunks)));
      return;
    }
    throw invalid(`unsupported upload (${method} uploadType=${uploadType})`);
  }

  private async runLoadJob(job: JobRecord, config: LoadConfig, data?: Buffer): Promise<void> {
    const dest = config.destinationTable;
    if (!dest?.datasetId || !dest.tableId) throw invalid('load needs destinationTable', 'destinationTable');
    const format = config.sourceFormat ?? 'CSV';
    if (!['CSV', 'NEWLINE_DELIMITED_JSON', 'PARQUET'].includes(format)) {
      throw invalid(`sourceFormat ${format} is not supported here`, 'sourceFormat');
    }
    const dir = await mkdtemp(join(tmpdir(), 'bq-server-load-'));
    try {
      const files: string[] = [];
      if (data) {
        files.push(join(dir, 'upload'));
        await writeFile(files[0], data);
      } else {
        for (const uri of config.sourceUris ?? []) {
          for (const [i, bytes] of (await this.readGcs(uri)).entries()) {
            const f = join(dir, `src-${files.length}-${i}`);
            await writeFile(f, bytes);
            files.push(f);
          }
        }
      }
      if (files.length === 0) throw invalid('load has no data: upload a file or give sourceUris', 'sourceUris');
      let meta = this.tables.get(key(dest.datasetId, dest.tableId));
      if (!meta) {
        this.getDataset(dest.datasetId);
        if (config.createDisposition === 'CREATE_NEVER' || !config.schema?.fields) {
          throw notFound(`Table ${this.projectId}:${dest.datasetId}.${dest.tableId}`);
        }
        await this.insertTable(dest.datasetId, { tableReference: { tableId: dest.tableId }, schema: config.schema });
        meta = this.tables.get(key(dest.datasetId, dest.tableId))!;
      }
      const fields = meta.schema?.fields ?? [];
      const target = `${ident(dest.datasetId)}.${ident(dest.tableId)}`;
      const inputBytes = data?.length ?? 0;
      const rows = await this.serial(() =>
        inTransaction(this.conn, async () => {
          if (config.writeDisposition === 'WRITE_TRUNCATE') await this.conn.run(`DELETE FROM ${target}`);
          if (config.writeDisposition === 'WRITE_EMPTY') {
            const n = await this.conn.runAndReadAll(`SELECT count(*) FROM ${target}`);
            if (Number(n.getRowsJson()[0][0]) > 0) throw duplicate(`Table ${dest.tableId} is not empty (WRITE_EMPTY)`);
          }
          let total = 0;
          for (const file of files) {
            const select = await this.loadSelect(file, format, fields, config);
            const r = await this.conn.run(`INSERT INTO ${target} ${select}`);
            total += r.rowsChanged;
          }
          return total;
        }),
      );
      (job.resource.statistics as Record<string, unknown>).load = {
        outputRows: String(rows),
        inputFiles: String(files.length),
        inputFileBytes: String(inputBytes),
        badRecords: '0',
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** SELECT producing the table's columns from one source file (all or nothing, cast strictly). */
  private async loadSelect(file: string, format: string, fields: BqField[], config: LoadConfig): Promise<string> {
    const lit = duckdbString(file);
    // Strict: a value that does not fit the column fails the load instead of being rounded.
    const cast = (f: BqField, expr: string) =>
      strictCastSql(expr, duckdbTypeOf({ ...f, type: LEGACY_TO_STANDARD[f.type] }), f.name);
    if (format === 'CSV') {
      // BigQuery CSV columns are positional; allowJaggedRows pads missing trailing ones with NULL.
      const cols = fields.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ');
      const reader = `read_csv(${lit}, header = false, skip = ${Number(config.skipLeadingRows ?? 0)}, auto_detect = false, delim = '${config.fieldDelimiter ?? ','}', quote = '"', escape = '"', null_padding = ${config.allowJaggedRows ? 'true' : 'false'}, columns = {${cols}})`;
      return `SELECT ${fields.map((f, i) => cast(f, `NULLIF(c${i}, '')`)).join(', ')} FROM ${reader}`;
    }
    if (format === 'NEWLINE_DELIMITED_JSON') {
      const cols = fields.map((f) => `'${f.name}': 'VARCHAR'`).join(', ');
      const reader = `read_json(${lit}, format = 'newline_delimited', columns = {${cols}})`;
      return `SELECT ${fields.map((f) => cast(f, ident(f.name))).join(', ')} FROM ${reader}`;
    }
    const desc = await this.conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${lit})`);
    const present = new Set(desc.getRowsJson().map((r) => String(r[0])));
    for (const f of fields) {
      if (f.mode === 'REQUIRED' && !present.has(f.name)) {
        throw invalid(`Parquet file has no column ${f.name}, which is REQUIRED`, f.name);
      }
    }
    return `SELECT ${fields.map((f) => (present.has(f.name) ? cast(f, ident(f.name)) : 'NULL')).join(', ')} FROM read_parquet(${lit})`;
  }

  /** gs://bucket/name (a trailing * matches a prefix) read through the GCS server's JSON API. */
  private async readGcs(uri: string): Promise<Buffer[]> {
    const m = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
    if (m === null) throw invalid(`not a gs:// URI: ${uri}`, 'sourceUris');
    if (!this.gcsEndpoint) throw invalid(`cannot read ${uri}: the server was started without a GCS endpoint`);
    const [, bucket, name] = m;
    const base = this.gcsEndpoint.replace(/\/$/, '');
    let names = [name];
    if (name.includes('*')) {
      const prefix = name.slice(0, name.indexOf('*'));
      let list = await fetch(
        `${base}/storage/v1/b/${encodeURIComponent(bucket)}/o?prefix=${encodeURIComponent(prefix)}`,
      );
      for (let attempt = 1; (list.status === 429 || list.status >= 500) && attempt < 20; attempt++) {
        list = await fetch(`${base}/storage/v1/b/${encodeURIComponent(bucket)}/o?prefix=${encodeURIComponent(prefix)}`);
      }
      if (!list.ok) throw notFound(`URI ${uri}`);
      const items = ((await list.json()) as { items?: { name: string }[] }).items ?? [];
      const re = new RegExp(`^${name.split('*').map(escapeRe).join('.*')}$`);
      names = items.map((i) => i.name).filter((n) => re.test(n));
      if (names.length === 0) throw notFound(`URI ${uri}`);
    }
    const out: Buffer[] = [];
    for (const n of names) {
      out.push(await this.readGcsObject(base, bucket, n));
    }
    return out;
  }

  /**
   * One object's bytes. BigQuery reads GCS from inside Google, where the faults
   * the GCS test server injects for clients do not reach: transient answers are
   * retried here, so only a missing or refused object fails a load job.
   */
  private async readGcsObject(base: string, bucket: string, name: string): Promise<Buffer> {
    const url = `${base}/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(name)}?alt=media`;
    for (let attempt = 1; ; attempt++) {
      let status: number;
      try {
        const r = await fetch(url);
        if (r.ok) return Buffer.from(await r.arrayBuffer());
        status = r.status;
        await r.body?.cancel();
      } catch {
        status = 0; // connection cut
      }
      if (status === 404) throw notFound(`URI gs://${bucket}/${name}`);
      if ((status !== 0 && status !== 429 && status < 500) || attempt === 20) {
        throw new BqHttpError(500, 'backendError', `reading gs://${bucket}/${name}: HTTP ${status}`);
      }
    }
  }

  /** Run DDL in a dataset (used for tables/views created through the tables API). */
  private async execute(sql: string, datasetId: string): Promise<void> {
    await this.serial(async () => {
      try {
        await this.conn.run(`SET schema = ${duckdbString(datasetId)}`);
        await this.conn.run(sql);
      } catch (err) {
        throw invalid(err instanceof Error ? err.message : String(err));
      } finally {
        await this.conn.run("SET schema = 'main'").catch(() => {});
      }
    });
  }
}

interface QueryConfig {
  query?: string;
  useLegacySql?: boolean;
  defaultDataset?: { projectId?: string; datasetId?: string };
  parameterMode?: string;
  queryParameters?: { name?: string; parameterType?: { type?: string }; parameterValue?: { value?: unknown } }[];
}

interface LoadConfig {
  sourceUris?: string[];
  destinationTable?: { projectId?: string; datasetId?: string; tableId?: string };
  sourceFormat?: string;
  writeDisposition?: string;
  createDisposition?: string;
  skipLeadingRows?: number | string;
  allowJaggedRows?: boolean;
  fieldDelimiter?: string;
  schema?: { fields?: BqField[] };
}

function key(datasetId: string, tableId: string): string {
  return `${datasetId}.${tableId}`.toLowerCase();
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function secondsTimestamps(rows: BqRow[], fields: BqField[]): BqRow[] {
  const ts = fields.map((f) => f.type === 'TIMESTAMP');
  return rows.map((r) => ({
    f: r.f.map((c, i) => {
      if (!ts[i] || c.v === null) return c;
      const micros = BigInt(c.v);
      return { v: `${micros / 1_000_000n}.${String(micros % 1_000_000n).padStart(6, '0')}` };
    }),
  }));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendEmpty(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

/** A statement's failure as the job error BigQuery reports (a BqHttpError stands as it is). */
function queryError(err: unknown): BqHttpError {
  if (err instanceof BqHttpError) return err;
  if (err instanceof MissingParamError) return invalidQuery(`Query parameter '${err.param}' not found`);
  return invalidQuery(err instanceof Error ? err.message : String(err));
}
