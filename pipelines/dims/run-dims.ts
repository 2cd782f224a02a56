/**
 * The dimension pipeline: customers*.csv and products*.csv in a folder or
 * `gs://` prefix (what `salesflow gen --dimensions` writes) → dim_customers /
 * dim_products. Per file, in ONE transaction: valid rows are upserted on the
 * key (new keys inserted, changed rows updated, identical rows untouched),
 * invalid rows go to quarantine_dims with line and reasons, and a load_log row
 * records the attempt. A file version already in the load log is skipped, and
 * the upsert makes loading the same rows from another file a no-op, so
 * re-running never duplicates. Above --max-error-rate invalid rows, or with a
 * bad header, nothing of the file loads: its load_log row (rejected) and, over
 * the error rate, its invalid rows in quarantine_dims marked `_file_rejected`
 * (one transaction). What is loaded and logged is one version of the file: the
 * bytes read must match the listing (size and checksum), else the file waits
 * for a later run.
 */
import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeError, InputError, UsageError } from '../../shared/errors.ts';
import { csvField, formatPercent } from '../../shared/format.ts';
import { refuseOverlap, skipsHidden } from '../../shared/overlap.ts';
import {
  DIMENSION_SCHEMAS,
  type DimensionSchema,
  dimensionBigQueryFields,
  loadDomains,
  type SalesDomains,
} from '../../shared/schema/index.ts';
import {
  checksumBuffer,
  type GcsStoreOptions,
  type ObjectInfo,
  type ObjectStore,
  openStore,
  sameContent,
  versionChecksum,
} from '../../shared/storage/index.ts';
import { makeWorkDir } from '../../shared/work-dir.ts';
import { dimensionChangesSql, mergeDimensionSql } from '../../warehouse/merge.ts';
import { loaderWarehousePlaces, type OpenWarehouseOptions, openWarehouse } from '../../warehouse/open.ts';
import { tableDef } from '../../warehouse/tables.ts';
import type { Params, Warehouse } from '../../warehouse/warehouse.ts';
import type { FileOutcome } from '../file-outcome.ts';
import { checkpoint } from '../crash.ts';
import { type LoadStatus, logRowSql, readLoadLog } from '../../warehouse/load-log.ts';
import { type DimensionFileContent, readDimensionFile } from './read-dimension-file.ts';

export const DEFAULT_DIMS_MAX_ERROR_RATE = 0.05;

export interface DimsOptions {
  /** A folder, one file in it, or a `gs://bucket/prefix` holding customers*.csv / products*.csv (.gz too). */
  source: string;
  /** An open warehouse, or its spec; default: the local DuckDB file. */
  warehouse?: Warehouse | string;
  /** Largest share of invalid rows a file may have and still load (default 0.05). */
  maxErrorRate?: number;
  domains?: SalesDomains;
  storeOptions?: GcsStoreOptions;
  warehouseOptions?: OpenWarehouseOptions;
  /** `--no-create`: check that the warehouse has its tables and views, create none of them. */
  checkOnly?: boolean;
}

/**
 * A file's outcome, counted like the batch pipeline's: rowsLoaded are rows
 * inserted or updated, rowsDuplicate valid rows identical to what the table held.
 */
export interface DimFileOutcome extends Omit<FileOutcome, 'disposition' | 'seconds'> {
  dimension: DimensionSchema['name'];
  /** The first invalid rows (line and reasons), for the report. */
  firstRejects: { line: number; reasons: string }[];
}

export interface DimsSummary {
  files: DimFileOutcome[];
  /** Files in the source that are not dimension files. */
  ignored: string[];
  /** False when a file loaded in this run was rejected or had invalid rows (the command exits 3); a waiting file is not a failure. */
  ok: boolean;
  seconds: number;
}

const DIMENSION_FILE_RE = /^(customers|products)[^/]*\.csv(\.gz)?$/i;
const STAGE_ROWS = 'stage_dim_rows';
const STAGE_REJECTS = 'stage_dim_rejects';
const REJECT_FIELDS = tableDef('quarantine_dims')!.fields.filter((f) => f.name !== '_ingested_at');

/** Which dimension a file name holds, or undefined. */
export function dimensionOfKey(key: string): DimensionSchema | undefined {
  const m = DIMENSION_FILE_RE.exec(basename(key));
  return m ? DIMENSION_SCHEMAS.find((s) => s.name === m[1].toLowerCase()) : undefined;
}

export async function runDims(opts: DimsOptions): Promise<DimsSummary> {
  const started = performance.now();
  const { store, only } = openSource(opts);
  // The warehouse is written: not on, around or inside what is read (hidden and `_` names are never read).
  refuseOverlap({
    outputs: loaderWarehousePlaces(opts.warehouse, opts.warehouseOptions),
    inputs: [{ path: opts.source, role: 'source', skips: skipsHidden }],
  });
  const maxErrorRate = opts.maxErrorRate ?? DEFAULT_DIMS_MAX_ERROR_RATE;
  const domains = opts.domains ?? loadDomains();
  const listed = (await store.list('', { recursive: false })).objects
    .filter((o) => only === undefined || o.key === only)
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  const files = listed.filter((o) => dimensionOfKey(o.key));
  const ignored = listed.filter((o) => !dimensionOfKey(o.key) && !/^[_.]/.test(o.key)).map((o) => o.key);
  if (files.length === 0) {
    // Nothing to load is a wrong source, not a run that succeeded.
    const what = only === undefined ? `no dimension files in ${store.url}` : 'not a dimension file';
    throw new UsageError(
      `${what}: looked for customers*.csv and products*.csv (.gz too), as written by salesflow gen --dimensions` +
        (only === undefined && ignored.length > 0
          ? `; found only ${ignored.slice(0, 5).join(', ')}${ignored.length > 5 ? ', …' : ''}`
          : ''),
      { file: opts.source },
    );
  }
  const w =
    typeof opts.warehouse === 'object'
      ? opts.warehouse
      : await openWarehouse(opts.warehouse, {
          ...opts.warehouseOptions,
          access: 'pipeline',
          mustExist: opts.checkOnly,
        });
  try {
    await (opts.checkOnly ? w.check() : w.ensure());
    const log = await readLoadLog(w);
    const outcomes: DimFileOutcome[] = [];
    const infos = [];
    for (const o of files) infos.push(o.md5Hash || o.crc32c ? o : ((await store.stat(o.key)) ?? o));
    await checkpoint(
      'after-list',
      files.map((o) => o.key),
    );
    for (const [i, o] of files.entries()) {
      const info = infos[i];
      const schema = dimensionOfKey(o.key)!;
      const file = { key: o.key, uri: store.uri(o.key), size: info.size, checksum: versionChecksum(info), info };
      const prior = log.prior(file.uri, file.checksum);
      if (prior) {
        outcomes.push({ ...emptyOutcome(file, schema, prior.status), alreadyDone: true });
        continue;
      }
      const attempt = log.nextAttempt(file.uri);
      outcomes.push(await loadFile(w, store, { ...file, schema, attempt, maxErrorRate, domains }));
    }
    return {
      files: outcomes,
      ignored,
      ok: outcomes.every((f) => f.alreadyDone || f.status === 'loaded' || f.status === 'waiting'),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    if (typeof opts.warehouse !== 'object') await w.close();
  }
}

function openSource(opts: DimsOptions): { store: ObjectStore; only?: string } {
  if (opts.source.startsWith('gs://')) return { store: openStore(opts.source, opts.storeOptions) };
  if (!existsSync(opts.source)) throw new UsageError(`no such folder or file: ${opts.source}`, { file: opts.source });
  if (statSync(opts.source).isFile()) {
    return { store: openStore(dirname(opts.source), opts.storeOptions), only: basename(opts.source) };
  }
  return { store: openStore(opts.source, opts.storeOptions) };
}

interface FileToLoad {
  key: string;
  uri: string;
  size: number;
  checksum: string;
  /** The listing's size and checksums: the bytes read must match them. */
  info: ObjectInfo;
  schema: DimensionSchema;
  attempt: number;
  maxErrorRate: number;
  domains: SalesDomains;
}

function emptyOutcome(
  f: { key: string; uri: string },
  schema: DimensionSchema,
  status: DimFileOutcome['status'],
): Omit<DimFileOutcome, 'alreadyDone'> {
  return {
    key: f.key,
    uri: f.uri,
    dimension: schema.name,
    status,
    rowsRead: 0,
    rowsLoaded: 0,
    rowsRejected: 0,
    rowsDuplicate: 0,
    firstRejects: [],
  };
}

async function loadFile(w: Warehouse, store: ObjectStore, f: FileToLoad): Promise<DimFileOutcome> {
  const startedAt = new Date();
  let content: DimensionFileContent;
  const bytes = await store.getBuffer(f.key);
  if (sameContent(f.info, checksumBuffer(bytes)) !== true) {
    // Not the version listed (its load_log row would describe other bytes): a writer is still at it.
    return {
      ...emptyOutcome(f, f.schema, 'waiting'),
      error: `changed while being read (listed with ${f.size} bytes, read ${bytes.length}): still being written? The next run loads it once it is stable`,
      alreadyDone: false,
    };
  }
  try {
    content = readDimensionFile(bytes, {
      file: f.uri,
      schema: f.schema,
      gzip: f.key.toLowerCase().endsWith('.gz'),
      domains: f.domains,
    });
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return logRejected(w, f, startedAt, describeError(err), 0, 0);
  }
  const read = content.rows.length + content.rejects.length;
  const rate = content.rejects.length / read;
  const firstRejects = content.rejects.slice(0, 5).map((r) => ({ line: r.line, reasons: r.reasons }));
  if (rate > f.maxErrorRate) {
    const error =
      `${content.rejects.length} of ${read} rows are invalid (${formatPercent(rate)}), above --max-error-rate ` +
      `${formatPercent(f.maxErrorRate)}: file not loaded`;
    return { ...(await logRejected(w, f, startedAt, error, read, content.rejects.length, content)), firstRejects };
  }

  const tmp = await makeWorkDir('salesflow-dims-');
  try {
    await stage(w, f, content, tmp.path);
    const changes = (await w.query(dimensionChangesSql((n) => w.ref(n), f.schema, w.ref(STAGE_ROWS)))).rows[0];
    const loaded = Number(changes.inserted) + Number(changes.updated);
    const status: LoadStatus = content.rejects.length > 0 ? 'partial' : 'loaded';
    const params: Record<string, Params[string]> = { dim_file: f.uri, dim_name: f.schema.name };
    const statements = [mergeDimensionSql(w.sql, (n) => w.ref(n), f.schema, w.ref(STAGE_ROWS), 'dim_file')];
    if (content.rejects.length > 0) statements.push(quarantineSql(w, false));
    const outcome = {
      rowsRead: read,
      rowsLoaded: loaded,
      rowsRejected: content.rejects.length,
      rowsDuplicate: content.rows.length - loaded,
      status,
    };
    const logRow = logRowSql(
      w,
      { file: f.uri, attempt: f.attempt, sizeBytes: f.size, checksum: f.checksum, startedAt, ...outcome },
      'log_',
    );
    statements.push(logRow.sql);
    await w.run(w.sql.transaction(statements), { params: { ...params, ...logRow.params } });
    return { key: f.key, uri: f.uri, dimension: f.schema.name, ...outcome, firstRejects, alreadyDone: false };
  } finally {
    await w.dropTable(STAGE_ROWS);
    await w.dropTable(STAGE_REJECTS);
    await tmp.remove();
  }
}

/** The staged rejects into quarantine_dims; `fileRejected`: the whole file was refused. */
function quarantineSql(w: Warehouse, fileRejected: boolean): string {
  return `INSERT INTO ${w.ref('quarantine_dims')} (dimension, raw_row, _source_file, _line, reasons, _ingested_at, _file_rejected)
SELECT dimension, raw_row, _source_file, _line, reasons, ${w.sql.now()}, ${fileRejected ? 'TRUE' : 'FALSE'} FROM ${w.ref(STAGE_REJECTS)}`;
}

/** Valid rows into a CSV load, rejected rows into an NDJSON load: scratch tables the commit reads. */
async function stage(w: Warehouse, f: FileToLoad, content: DimensionFileContent, tmp: string): Promise<void> {
  const rowsCsv = join(tmp, 'rows.csv');
  const lines = content.rows.map((r) => r.values.map((v) => (v === null ? '' : csvField(v))).join(','));
  await writeFile(rowsCsv, `${f.schema.header}\n${lines.join('\n')}\n`);
  await w.createTable(STAGE_ROWS, dimensionBigQueryFields(f.schema), { replace: true, scratch: true });
  await w.load(rowsCsv, STAGE_ROWS, { format: 'CSV' });
  await stageRejects(w, f, content, tmp);
}

/** Rejected rows into an NDJSON load (nothing when there are none). */
async function stageRejects(w: Warehouse, f: FileToLoad, content: DimensionFileContent, tmp: string): Promise<void> {
  if (content.rejects.length === 0) return;
  const rejectsJson = join(tmp, 'rejects.ndjson');
  const rejectRows = content.rejects.map((r) =>
    JSON.stringify({
      dimension: f.schema.name,
      raw_row: r.raw,
      _source_file: f.uri,
      _line: r.line,
      reasons: r.reasons,
    }),
  );
  await writeFile(rejectsJson, `${rejectRows.join('\n')}\n`);
  await w.createTable(STAGE_REJECTS, REJECT_FIELDS, { replace: true, scratch: true });
  await w.load(rejectsJson, STAGE_REJECTS, { format: 'NEWLINE_DELIMITED_JSON' });
}

async function logRejected(
  w: Warehouse,
  f: FileToLoad,
  startedAt: Date,
  error: string,
  rowsRead: number,
  rowsRejected: number,
  content?: DimensionFileContent,
): Promise<DimFileOutcome> {
  const outcome = { rowsRead, rowsLoaded: 0, rowsRejected, rowsDuplicate: 0, status: 'rejected' as const, error };
  const row = logRowSql(
    w,
    { file: f.uri, attempt: f.attempt, sizeBytes: f.size, checksum: f.checksum, startedAt, ...outcome },
    'log_',
  );
  if (!content || content.rejects.length === 0) {
    await w.run(row.sql, { params: row.params });
  } else {
    // Its invalid rows stay inspectable, in the same transaction as the log row (so never twice).
    const tmp = await makeWorkDir('salesflow-dims-');
    try {
      await stageRejects(w, f, content, tmp.path);
      await w.run(w.sql.transaction([quarantineSql(w, true), row.sql]), { params: row.params });
    } finally {
      await w.dropTable(STAGE_REJECTS);
      await tmp.remove();
    }
  }
  return { key: f.key, uri: f.uri, dimension: f.schema.name, ...outcome, firstRejects: [], alreadyDone: false };
}
