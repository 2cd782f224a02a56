/**
 * The BigQuery warehouse, on @google-cloud/bigquery. Tables are created from the
 * shared definitions through the tables API (partitioned by day on
 * transaction_date, clustered on sales_region, product_category); views with
 * `CREATE OR REPLACE VIEW`. Queries run as jobs with the dataset as default, so
 * unqualified names work as on DuckDB; results are read page by page in raw
 * form and normalized like DuckDB's.
 */
import { randomBytes } from 'node:crypto';
import type { BigQuery, Job, QueryResultsOptions } from '@google-cloud/bigquery';
import { createBigQueryClient } from '../shared/bigquery/client.ts';
import { bigQueryRef } from './bigquery-ref.ts';
import { SalesflowError, TransientError, UsageError } from '../shared/errors.ts';
import type { BigQueryField } from '../shared/schema/index.ts';
import { bigqueryStatementKind, checkStatement, checkWritable, type WarehouseAccess } from './access.ts';
import { fromBigQueryError, isTransactionConflict } from '../shared/bigquery/errors.ts';
import { missingObjectError } from './errors.ts';
import { StreamStageWriter } from './bigquery-stream-stage.ts';
import { seedCommitLockSql } from './commit-lock.ts';
import { missingObjects, type WarehouseCatalog, WarehouseNotReadyError } from './check.ts';
import { refuseLostTables } from './lost-tables.ts';
import { paramNames } from './sql-lexer.ts';
import { addMissingColumnsSql, TABLES, tableDef } from './tables.ts';
import {
  type MinuteSelection,
  refreshMinuteTotals,
  STAGE_INCOMPLETE,
  STREAM_STAGE_FIELDS,
  type StreamCommitRequest,
  type StreamCommitResult,
  streamCommitParams,
  streamCommitResult,
  streamCommitStatements,
  streamCountsSql,
  streamStageRows,
} from './stream.ts';
import { normalizeInt, normalizeNumeric, resolveNamedParam, timestampFromBigQuery } from './values.ts';
import { createViewSql, VIEWS } from './views.ts';
import type {
  CreateTableOptions,
  Cell,
  FieldType,
  InsertResult,
  InsertRow,
  LoadOptions,
  LoadResult,
  Params,
  QueryOptions,
  QueryResult,
  ResultField,
  RowError,
  RunResult,
  StageFileOptions,
  StageSource,
  Warehouse,
} from './warehouse.ts';
import { warehouseSql } from './warehouse-sql.ts';
import { transactionScript } from './warehouse.ts';

export interface BigQueryWarehouseOptions {
  projectId: string;
  dataset: string;
  /** API root of a BigQuery-compatible server; default BIGQUERY_EMULATOR_HOST, else Google. */
  endpoint?: string;
  location?: string;
  /** Client retries of transient failures (default: the client's own, 3). */
  maxRetries?: number;
  /** Default `pipeline`; openWarehouse defaults to `read`. Read and write handles dry-run each statement first. */
  access?: WarehouseAccess;
  /**
   * `host:port` of the Storage Write API (the stream stages its micro-batches through it): an emulator or test
   * server; default BIGQUERY_STORAGE_EMULATOR_HOST, else Google's.
   */
  storageEndpoint?: string;
}

/** Runs of one transaction that concurrent writers aborted, before the failure is passed on (transient). */
const TRANSACTION_ATTEMPTS = 12;

const DEFAULT_PAGE_SIZE = 10_000;
const INSERT_BATCH = 500;

interface RawField {
  name: string;
  type: string;
}
interface RawRow {
  f: { v: unknown }[];
}

export class BigQueryWarehouse implements Warehouse {
  readonly dialect = 'bigquery' as const;
  readonly sql = warehouseSql('bigquery');
  readonly target: string;
  readonly client: BigQuery;
  readonly projectId: string;
  readonly datasetId: string;
  readonly location: string;
  readonly access: WarehouseAccess;
  /** Transactions run again because a concurrent writer's aborted them (see commit-lock.ts). */
  transactionRetries = 0;
  private readonly storageEndpoint: string | undefined;
  /** The REST API goes to an emulator or test server (an endpoint or BIGQUERY_EMULATOR_HOST). */
  private readonly restEmulated: boolean;
  /** Stream micro-batches → stream_stage through the Storage Write API, opened on the first commit. */
  private stageWriter: StreamStageWriter | undefined;
  /** This handle's batch ids: `<writer>-<n>`. */
  private readonly writerId = randomBytes(6).toString('hex');
  private batches = 0;

  private constructor(client: BigQuery, opts: BigQueryWarehouseOptions) {
    this.client = client;
    this.storageEndpoint = opts.storageEndpoint;
    this.restEmulated = Boolean(opts.endpoint ?? process.env.BIGQUERY_EMULATOR_HOST);
    this.projectId = opts.projectId;
    this.datasetId = opts.dataset;
    this.location = opts.location ?? 'US';
    this.access = opts.access ?? 'pipeline';
    this.target = `bigquery:${opts.projectId}.${opts.dataset}`;
  }

  static async open(opts: BigQueryWarehouseOptions): Promise<BigQueryWarehouse> {
    return new BigQueryWarehouse(
      createBigQueryClient(opts.projectId, opts.endpoint, { maxRetries: opts.maxRetries }),
      opts,
    );
  }

  ref(name: string): string {
    return bigQueryRef(this.projectId, this.datasetId, name);
  }

  private context(step: string, extra: Record<string, unknown> = {}) {
    return { object: this.target, step, ...extra };
  }

  async ensure(): Promise<void> {
    checkWritable(this.access, 'create the dataset, tables and views', { object: this.target });
    const dataset = this.client.dataset(this.datasetId, { location: this.location });
    const migrations: string[] = [];
    try {
      const [exists] = await dataset.exists();
      if (!exists) await dataset.create({ location: this.location }).catch(ignoreAlreadyExists);
      const present = new Set<string>();
      for (const def of TABLES) if ((await dataset.table(def.name).exists())[0]) present.add(def.name);
      await refuseLostTables(this, present);
      for (const def of TABLES) {
        const table = dataset.table(def.name);
        if (present.has(def.name)) {
          const [metadata] = await table.getMetadata();
          const names = new Set(
            ((metadata as { schema?: { fields?: { name: string }[] } }).schema?.fields ?? []).map((f) => f.name),
          );
          migrations.push(...addMissingColumnsSql(def, names, (n) => this.ref(n), 'bigquery'));
          continue;
        }
        await table
          .create({
            schema: { fields: def.fields },
            description: def.description,
            ...(def.partitionBy ? { timePartitioning: { type: 'DAY', field: def.partitionBy } } : {}),
            ...(def.clusterBy ? { clustering: { fields: def.clusterBy } } : {}),
          })
          .catch(ignoreAlreadyExists);
      }
    } catch (err) {
      if (err instanceof SalesflowError) throw err;
      throw fromBigQueryError(err, this.context('ensure'));
    }
    const ref = (n: string) => this.ref(n);
    // One script: columns a table created by an earlier version lacks, the views (replaced in place), the lock's row.
    await this.runJob(
      [...migrations, ...VIEWS.map((v) => createViewSql('bigquery', v, ref)), seedCommitLockSql('bigquery')].join(
        ';\n',
      ),
    );
  }

  async check(): Promise<void> {
    checkWritable(this.access, 'check the dataset, tables and views', { object: this.target });
    const dataset = this.client.dataset(this.datasetId, { location: this.location });
    const catalog: WarehouseCatalog = { exists: false, tables: new Map(), views: new Set() };
    try {
      [catalog.exists] = await dataset.exists();
      if (catalog.exists) {
        const [tables] = await dataset.getTables({ autoPaginate: true });
        for (const t of tables) {
          const type = (t.metadata as { type?: string } | undefined)?.type;
          if (type === 'VIEW') catalog.views.add(String(t.id));
          else if (tableDef(String(t.id))) {
            const [metadata] = await t.getMetadata();
            const fields = (metadata as { schema?: { fields?: { name: string }[] } }).schema?.fields ?? [];
            catalog.tables.set(String(t.id), new Set(fields.map((f) => f.name)));
          }
        }
      }
    } catch (err) {
      throw fromBigQueryError(err, this.context('check'));
    }
    const missing = missingObjects(catalog, `dataset ${this.projectId}.${this.datasetId}`);
    if (missing.length > 0) throw new WarehouseNotReadyError(this.target, missing);
    await this.runJob(seedCommitLockSql('bigquery'));
  }

  async createTable(name: string, fields: readonly BigQueryField[], opts: CreateTableOptions = {}): Promise<void> {
    checkWritable(this.access, `create table ${name}`, { object: this.target });
    const table = this.client.dataset(this.datasetId).table(name);
    try {
      if (opts.replace) await this.dropTable(name);
      await table.create({ schema: { fields: [...fields] } }).catch((err: { code?: number }) => {
        if (opts.replace || err?.code !== 409) throw err;
      });
    } catch (err) {
      throw fromBigQueryError(err, this.context('create table', { table: name }));
    }
  }

  async dropTable(name: string): Promise<void> {
    checkWritable(this.access, `drop table ${name}`, { object: this.target });
    try {
      await this.client
        .dataset(this.datasetId)
        .table(name)
        .delete()
        .catch((err: { code?: number }) => {
          if (err?.code !== 404) throw err;
        });
    } catch (err) {
      throw fromBigQueryError(err, this.context('drop table', { table: name }));
    }
  }

  /**
   * On read and write handles, a dry run first: BigQuery parses the statement and
   * names its type (`statistics.query.statementType`), which access.ts judges.
   */
  private async checkSql(sql: string, params?: Params): Promise<void> {
    if (this.access === 'pipeline') return;
    const config = this.queryConfig(sql, params);
    let statementType: string;
    try {
      const [, resp] = (await this.client.createJob({
        ...config,
        configuration: { ...config.configuration, dryRun: true },
      })) as unknown as [unknown, { statistics?: { query?: { statementType?: string } } }];
      statementType = resp?.statistics?.query?.statementType ?? 'UNKNOWN';
    } catch (err) {
      throw this.queryError(err, 'check query', sql);
    }
    checkStatement(
      this.access,
      { count: statementType === 'SCRIPT' ? 2 : 1, kind: bigqueryStatementKind(statementType), label: statementType },
      this.context('check query', { sql: sql.slice(0, 200) }),
    );
  }

  private queryError(err: unknown, step: string, sql: string): Error {
    const context = this.context(step, { sql: sql.slice(0, 200) });
    const message = (err as Error)?.message ?? String(err);
    return missingObjectError(message, context, err) ?? fromBigQueryError(err, context);
  }

  private queryConfig(sql: string, params: Params = {}) {
    const queryParameters = paramNames(sql).map((name) => {
      const p = resolveNamedParam(params, name);
      return { name, parameterType: { type: p.type }, parameterValue: p.value === null ? {} : { value: p.value } };
    });
    return {
      configuration: {
        query: {
          query: sql,
          useLegacySql: false,
          defaultDataset: { projectId: this.projectId, datasetId: this.datasetId },
          ...(queryParameters.length > 0 ? { parameterMode: 'NAMED', queryParameters } : {}),
        },
      },
      location: this.location,
    };
  }

  private async startQuery(sql: string, params?: Params): Promise<Job> {
    const config = this.queryConfig(sql, params);
    try {
      const [job] = await this.client.createJob(config);
      return job;
    } catch (err) {
      throw this.queryError(err, 'query', sql);
    }
  }

  async query(sql: string, opts: QueryOptions = {}): Promise<QueryResult> {
    if (isTransactionScript(sql)) return this.retryingConflicts(() => this.collect(sql, opts));
    return this.collect(sql, opts);
  }

  private async collect(sql: string, opts: QueryOptions): Promise<QueryResult> {
    const out: QueryResult = { fields: [], rows: [] };
    for await (const page of this.queryPages(sql, opts)) {
      out.fields = page.fields;
      for (const r of page.rows) out.rows.push(r);
    }
    return out;
  }

  async *queryPages(sql: string, opts: QueryOptions = {}): AsyncIterable<QueryResult> {
    await this.checkSql(sql, opts.params);
    const job = await this.startQuery(sql, opts.params);
    let pageToken: string | undefined;
    for (;;) {
      let resp: { jobComplete?: boolean; schema?: { fields?: RawField[] }; rows?: RawRow[]; pageToken?: string };
      try {
        // skipParsing: raw {f:[{v}]} rows, which normalizeBigQueryCell turns into the shared cell form.
        const [, , apiResponse] = (await job.getQueryResults({
          maxResults: opts.pageSize ?? DEFAULT_PAGE_SIZE,
          pageToken,
          autoPaginate: false,
          skipParsing: true,
          timeoutMs: 10_000,
        } as QueryResultsOptions)) as unknown as [unknown, unknown, typeof resp];
        resp = apiResponse;
      } catch (err) {
        throw this.queryError(err, 'query', sql);
      }
      if (resp.jobComplete === false) continue;
      const rawFields = resp.schema?.fields ?? [];
      const fields: ResultField[] = rawFields.map((f) => ({ name: f.name, type: fieldType(f.type) }));
      const rows = (resp.rows ?? []).map((r) => {
        const row: Record<string, Cell> = {};
        fields.forEach((f, i) => {
          row[f.name] = normalizeBigQueryCell(f.type, r.f[i]?.v);
        });
        return row;
      });
      yield { fields, rows };
      if (!resp.pageToken) return;
      pageToken = resp.pageToken;
    }
  }

  async run(sql: string, opts: QueryOptions = {}): Promise<RunResult> {
    await this.checkSql(sql, opts.params);
    if (isTransactionScript(sql)) return this.retryingConflicts(() => this.runJob(sql, opts.params));
    return this.runJob(sql, opts.params);
  }

  /**
   * Run a transaction again while BigQuery aborts it for a concurrent writer's
   * ("Transaction is aborted due to concurrent update"): it had no effect, and
   * its next run decides against what that writer committed. Backoff with full
   * jitter, so contending writers spread out.
   */
  private async retryingConflicts<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isTransactionConflict(err)) throw err;
        if (attempt >= TRANSACTION_ATTEMPTS) {
          throw new TransientError(
            `a transaction was aborted by concurrent writers ${attempt} times: ${(err as Error).message}`,
            this.context('transaction'),
            err,
          );
        }
        this.transactionRetries++;
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(5000, 100 * 2 ** attempt)));
      }
    }
  }

  /** Run SQL as a job and wait for it (our own DDL skips the statement check). */
  private async runJob(sql: string, params?: Params): Promise<RunResult> {
    const job = await this.startQuery(sql, params);
    try {
      const [metadata] = (await job.promise()) as unknown as [
        { statistics?: { query?: { numDmlAffectedRows?: string } } },
      ];
      const stats = metadata?.statistics;
      return { affectedRows: Number(stats?.query?.numDmlAffectedRows ?? 0) };
    } catch (err) {
      throw this.queryError(err, 'run', sql);
    }
  }

  async load(source: string, table: string, opts: LoadOptions): Promise<LoadResult> {
    if (this.access !== 'pipeline') {
      throw new UsageError(`loading files needs the pipelines' warehouse handle (this one is ${this.access})`, {
        object: this.target,
      });
    }
    const load = {
      sourceFormat: opts.format,
      writeDisposition: opts.write === 'truncate' ? 'WRITE_TRUNCATE' : 'WRITE_APPEND',
      // CSV columns are positional on BigQuery: a header row to skip, and missing
      // trailing columns (e.g. bronze's _source_file…) as NULL.
      ...(opts.format === 'CSV' ? { skipLeadingRows: 1, allowJaggedRows: true } : {}),
    };
    const ctx = this.context('load', { file: source, table });
    try {
      let metadata: { jobReference?: { jobId?: string }; statistics?: { load?: { outputRows?: string } } };
      if (source.startsWith('gs://')) {
        const [job] = await this.client.createJob({
          configuration: {
            load: {
              ...load,
              sourceUris: [source],
              destinationTable: { projectId: this.projectId, datasetId: this.datasetId, tableId: table },
            },
          },
          location: this.location,
        });
        [metadata] = (await job.promise()) as unknown as [typeof metadata];
      } else {
        const [meta] = await this.client.dataset(this.datasetId).table(table).load(source, load);
        metadata = meta as typeof metadata;
      }
      return {
        rows: Number(metadata.statistics?.load?.outputRows ?? 0),
        jobId: metadata.jobReference?.jobId,
      };
    } catch (err) {
      throw fromBigQueryError(err, ctx, 'load');
    }
  }

  async stageFile(source: StageSource, name: string, opts: StageFileOptions): Promise<void> {
    await this.createTable(name, opts.fields, { replace: true, scratch: true });
    // A load job reads a gs:// object in place: its bytes never pass through this process.
    const from = source.uri.startsWith('gs://') || !source.localCopy ? source.uri : await source.localCopy();
    await this.load(from, name, { format: opts.format });
  }

  async insertRows(table: string, rows: readonly InsertRow[]): Promise<InsertResult> {
    checkWritable(this.access, `insert into ${table}`, { object: this.target });
    const errors: RowError[] = [];
    // insertAll works best with small requests (BigQuery suggests ~500 rows each).
    for (let start = 0; start < rows.length; start += INSERT_BATCH) {
      const batch = rows.slice(start, start + INSERT_BATCH);
      for (const e of await this.insertBatch(table, batch)) errors.push({ ...e, index: e.index + start });
    }
    return { inserted: rows.length - errors.length, errors };
  }

  private async insertBatch(table: string, rows: readonly InsertRow[]): Promise<RowError[]> {
    const raw = rows.map((r) => ({ insertId: r.insertId, json: r.row }));
    try {
      await this.client.dataset(this.datasetId).table(table).insert(raw, { raw: true, skipInvalidRows: true });
      return [];
    } catch (err) {
      const e = err as { name?: string; errors?: { row: unknown; errors: { reason?: string; message?: string }[] }[] };
      if (e?.name !== 'PartialFailureError' || !Array.isArray(e.errors)) {
        throw fromBigQueryError(err, this.context('insert', { table }), 'load');
      }
      // The client hands back the row objects we sent; their position is the row's index.
      return e.errors.map((f) => {
        const index = raw.indexOf(f.row as (typeof raw)[number]);
        return {
          index,
          insertId: rows[index]?.insertId,
          reasons: f.errors.map((x) => x.message || x.reason || 'rejected'),
        };
      });
    }
  }

  /**
   * The micro-batch goes to stream_stage through the Storage Write API (this
   * handle's COMMITTED stream, at its offsets: bigquery-stream-stage.ts) under a
   * batch id of its own, then one transaction script takes the verdicts and
   * writes the medallion tables (stream.ts), and its last statement reads the
   * counts. A crash between the two leaves staged rows that no transaction
   * reads; the next commit of any consumer deletes them once they are an hour old.
   */
  async commitStreamBatch(req: StreamCommitRequest): Promise<StreamCommitResult> {
    checkWritable(this.access, 'commit a stream batch', { object: this.target });
    const batchId = `${this.writerId}-${++this.batches}`;
    const now = Date.now();
    this.stageWriter ??= new StreamStageWriter({
      projectId: this.projectId,
      datasetId: this.datasetId,
      table: 'stream_stage',
      fields: STREAM_STAGE_FIELDS,
      endpoint: this.storageEndpoint,
      restEmulated: this.restEmulated,
    });
    await this.stageWriter.append(streamStageRows(req, batchId, now));
    // The script commits as a whole; the hook runs before it is sent (a crash then leaves only staged rows).
    req.beforeCommit?.();
    const script = `${transactionScript(
      'bigquery',
      streamCommitStatements('bigquery', (n) => this.ref(n)),
    )}\n${streamCountsSql()};`;
    try {
      const { rows } = await this.query(script, { params: streamCommitParams(req, batchId, now) });
      return streamCommitResult(rows[0]);
    } catch (err) {
      if (err instanceof Error && err.message.includes(STAGE_INCOMPLETE)) {
        // Rows of the batch were not readable (or were deleted as stale): nothing was written; stage it again.
        throw new TransientError(err.message, this.context('stream commit', { batch: batchId }), err);
      }
      throw err;
    }
  }

  refreshMinuteTotals(selection: MinuteSelection): Promise<number> {
    return refreshMinuteTotals(this, selection);
  }

  /** Stats of the stream's Storage Write path (appends, retries, streams), for tests and benchmarks. */
  streamStageStats() {
    return this.stageWriter?.stats;
  }

  async close(): Promise<void> {
    await this.stageWriter?.close();
    this.stageWriter = undefined;
  }

  /** Whether a table from the shared definitions exists with its partitioning (for diagnostics/tests). */
  async tableMetadata(name: string): Promise<Record<string, unknown>> {
    if (!tableDef(name) && !VIEWS.some((v) => v.name === name)) throw new UsageError(`unknown table ${name}`);
    const [meta] = await this.client.dataset(this.datasetId).table(name).getMetadata();
    return meta as Record<string, unknown>;
  }
}

function ignoreAlreadyExists(err: { code?: number }): void {
  if (err?.code !== 409) throw err;
}

function fieldType(t: string): FieldType {
  switch (t) {
    case 'INTEGER':
    case 'INT64':
      return 'INT64';
    case 'FLOAT':
    case 'FLOAT64':
      return 'FLOAT64';
    case 'BOOLEAN':
    case 'BOOL':
      return 'BOOL';
    case 'NUMERIC':
    case 'BIGNUMERIC':
      return 'NUMERIC';
    case 'DATE':
      return 'DATE';
    case 'TIMESTAMP':
      return 'TIMESTAMP';
    default:
      return 'STRING';
  }
}

/** BigQuery wire values (strings) → the normalized cells DuckDB also produces. */
export function normalizeBigQueryCell(type: FieldType, v: unknown): Cell {
  if (v === null || v === undefined) return null;
  const text = String(v);
  switch (type) {
    case 'INT64':
      return normalizeInt(text);
    case 'NUMERIC':
      return normalizeNumeric(text);
    case 'FLOAT64':
      return Number(text);
    case 'BOOL':
      return text === 'true';
    case 'TIMESTAMP':
      return timestampFromBigQuery(text);
    default:
      return text;
  }
}

/** A script that is one transaction (transactionScript), optionally followed by reads. */
function isTransactionScript(sql: string): boolean {
  return /^\s*BEGIN\s+TRANSACTION\s*;/i.test(sql);
}
