/**
 * Stage one landing file: get its rows into a per-file staging table without
 * touching the medallion tables, by the path that suits the format:
 *
 * - CSV/NDJSON (plain or gzip): validated in this process with the SDK (the full
 *   RecordValidator, line-level reasons) into a local CSV of valid rows and an
 *   NDJSON of rejected ones; on DuckDB the CSV is staged as a view over it, on
 *   BigQuery loaded by a load job.
 * - Parquet: validation happens in SQL at commit (validation-sql.ts); DuckDB
 *   stages a view over the file, BigQuery a load job into a typed table —
 *   pushed down, straight from gs://, when the file is there.
 *
 * Except when pushed down, a file is staged from a verified local copy
 * (snapshot.ts), which is also what gets archived; pushed down, the object's
 * generation after the load job must be the one listed. A file that changed
 * comes back with `waiting` (left for a later run); a file whose layout is
 * wrong (header, schema, encoding, truncated gzip, not Parquet) with
 * `layoutError`, rejected whole by the commit step.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { SalesflowError } from '../../shared/errors.ts';
import { formatDuration } from '../../shared/format.ts';
import { makeWorkDir, type WorkDir } from '../../shared/work-dir.ts';
import type { BigQueryField, SalesDomains } from '../../shared/schema/index.ts';
import { isGcsUri, type ObjectStore } from '../../shared/storage/index.ts';
import { duckdbTypeOf, stagingFields, type Warehouse } from '../../warehouse/index.ts';
import { checkpoint } from './crash.ts';
import type { LandingFile } from './landing-file.ts';
import type { PriorLoad } from './load-log.ts';
import { parquetLayoutProblem } from './parquet-layout.ts';
import { FileChangedError, takeSnapshot } from './snapshot.ts';
import { inputCause, stageTextFile } from './stage-text.ts';
import { duckdbString } from '../../warehouse/duckdb-quote.ts';

export interface StagedFile {
  file: LandingFile;
  attempt: number;
  startedAt: Date;
  /** Set when the file already has a final load_log row: nothing to load, only to dispose of. */
  prior?: PriorLoad;
  /** Why the whole file is refused (layout, encoding, compression). */
  layoutError?: string;
  /** Staging table (or view) of the rows, when rows were staged. */
  rowsTable?: string;
  /** Staging table of the rows refused in-process with their reasons (text files with such rows). */
  rejectsTable?: string;
  /** DuckDB stages a local Parquet file, or the CSV a text file was validated into, as a view over it, not a copy. */
  rowsIsView?: boolean;
  /**
   * Why the file is left for a later run (changed while being read, or modified
   * too recently): not loaded, logged or moved.
   */
  waiting?: string;
  /** The verified local copy the rows were staged from; what gets archived. */
  snapshot?: string;
  /** Local scratch folder holding the copy and staged files, until the file is disposed of (releaseStaged). */
  workDir?: WorkDir;
  /** Rows refused before staging (in-process validation). */
  rejectedInProcess: number;
}

/** Scratch folders of staged files: `<tmpdir>/salesflow-batch-<pid>-…`. */
const BATCH_WORK_DIR_PREFIX = 'salesflow-batch-';

const STAGE_ROW_FIELDS: BigQueryField[] = [
  ...stagingFields(),
  { name: '_line', type: 'INT64', mode: 'NULLABLE' },
  { name: '_seq', type: 'INT64', mode: 'NULLABLE' },
];
const STAGE_REJECT_FIELDS: BigQueryField[] = [
  { name: 'raw_row', type: 'STRING', mode: 'NULLABLE' },
  { name: '_line', type: 'INT64', mode: 'NULLABLE' },
  { name: 'reasons', type: 'STRING', mode: 'NULLABLE' },
];

/** Deterministic per file, so a crashed attempt's leftovers are replaced by the next one. */
function stagingNames(file: LandingFile): { rows: string; rejects: string; view: string } {
  const id = createHash('sha256').update(file.uri).digest('hex').slice(0, 16);
  return { rows: `stage_${id}_rows`, rejects: `stage_${id}_rejects`, view: `stage_${id}_view` };
}

/** Bad input that rejects the file, as opposed to a failure of the warehouse or network (which fails the run). */
function layoutProblem(err: unknown, file: LandingFile): string | undefined {
  const input = inputCause(err);
  if (input) return input.context.line !== undefined ? `line ${input.context.line}: ${input.message}` : input.message;
  // A Parquet load job the warehouse refuses (not Parquet, wrong column types) is about the file, unless transient.
  if (
    file.format === 'parquet' &&
    err instanceof SalesflowError &&
    !err.transient &&
    ['LOAD', 'QUERY'].includes(err.code)
  ) {
    return `not a loadable sales Parquet file: ${err.message}`;
  }
  return undefined;
}

export interface StageOptions {
  domains?: SalesDomains;
  /** A file modified less than this long ago is left for a later run (still being written?). */
  minAgeMs?: number;
}

export async function stageFile(
  w: Warehouse,
  store: ObjectStore,
  file: LandingFile,
  attempt: number,
  opts: StageOptions = {},
): Promise<StagedFile> {
  const staged: StagedFile = { file, attempt, startedAt: new Date(), rejectedInProcess: 0 };
  const names = stagingNames(file);
  const age = file.updated === undefined ? Number.POSITIVE_INFINITY : Date.now() - Date.parse(file.updated);
  if (opts.minAgeMs && age < opts.minAgeMs) {
    staged.waiting = `modified ${formatDuration(Math.max(0, age) / 1000)} ago, less than --min-age ${opts.minAgeMs / 1000}s: still being written? The next run loads it once it is older`;
    return staged;
  }
  if (file.format === 'parquet' && file.gzip) {
    staged.layoutError = 'gzip-compressed Parquet is not supported (Parquet compresses its pages itself)';
    return staged;
  }
  if (file.outsideLayout !== undefined) {
    staged.layoutError = `outside its lake's layout, not read as data: ${file.outsideLayout}`;
    return staged;
  }
  if (file.size === 0) {
    staged.layoutError = 'the file is empty (0 bytes)';
    return staged;
  }
  try {
    if (file.format === 'parquet') {
      const problem = await parquetLayoutProblem(store, file);
      if (problem !== undefined) {
        staged.layoutError = problem;
        return staged;
      }
    }
    if (file.format === 'parquet' && w.loadsGcsRemotely && isGcsUri(file.uri)) {
      // Push-down: the warehouse reads the object itself, so no local copy; the generation after the
      // load tells whether it read the version listed (GCS versions are immutable).
      await w.createTable(names.rows, STAGE_ROW_FIELDS, { replace: true, scratch: true });
      staged.rowsTable = names.rows;
      await w.load(file.uri, names.rows, { format: 'PARQUET' });
      const now = await store.stat(file.key);
      if (now?.generation !== file.generation) throw new FileChangedError(file, 'replaced while its load job ran');
    } else {
      // Everything else is loaded from a verified copy, which is also what gets archived.
      staged.snapshot = await takeSnapshot(store, file, await scratchDirOf(staged));
      if (file.format === 'parquet' && w.dialect === 'duckdb') {
        // Parquet on DuckDB: staging is a view over the copy itself — no copy of the rows.
        await w.run(await parquetViewSql(w, staged.snapshot, names.view));
        staged.rowsTable = names.view;
        staged.rowsIsView = true;
      } else if (file.format === 'parquet') {
        await w.createTable(names.rows, STAGE_ROW_FIELDS, { replace: true, scratch: true });
        staged.rowsTable = names.rows;
        await w.load(staged.snapshot, names.rows, { format: 'PARQUET' });
      } else {
        await stageText(w, staged, names, opts.domains);
      }
    }
  } catch (err) {
    if (err instanceof FileChangedError) {
      staged.waiting = err.message;
      await dropStaging(w, staged);
      return staged;
    }
    const problem = layoutProblem(err, file);
    if (problem === undefined) throw err;
    staged.layoutError = problem;
    await dropStaging(w, staged);
    return staged;
  }
  await checkpoint('after-stage', [file.key]);
  return staged;
}

/** A text file: validated here from its copy into a CSV of valid rows (then staged) and its rejected rows. */
async function stageText(
  w: Warehouse,
  staged: StagedFile,
  names: ReturnType<typeof stagingNames>,
  domains: SalesDomains | undefined,
): Promise<void> {
  const dir = (staged.workDir as WorkDir).path;
  const text = await stageTextFile(staged.file, createReadStream(staged.snapshot as string), dir, domains);
  staged.rejectedInProcess = text.rejected;
  // Rows refused here, with their reasons (Parquet rows are checked in SQL at commit instead).
  if (text.rejected > 0) {
    await w.createTable(names.rejects, STAGE_REJECT_FIELDS, { replace: true, scratch: true });
    staged.rejectsTable = names.rejects;
    await w.load(text.rejectsPath, names.rejects, { format: 'NEWLINE_DELIMITED_JSON' });
  }
  if (w.dialect === 'duckdb') {
    // The staged CSV stays on disk until the commit and is read once, by the group's scan:
    // loading it into a table first cost a full copy of the rows (time and memory).
    await w.run(stagedCsvViewSql(text.validPath, names.view));
    staged.rowsTable = names.view;
    staged.rowsIsView = true;
  } else {
    await w.createTable(names.rows, STAGE_ROW_FIELDS, { replace: true, scratch: true });
    staged.rowsTable = names.rows;
    if (text.valid > 0) await w.load(text.validPath, names.rows, { format: 'CSV' });
  }
}

/**
 * A view with the staging columns over a local Parquet file whose layout was
 * checked (parquet-layout.ts): its columns already have the record's types, so
 * the casts change no value; columns a hive folder supplies are NULL here and
 * filled in at commit.
 */
async function parquetViewSql(w: Warehouse, path: string, view: string): Promise<string> {
  const source = `read_parquet(${duckdbString(path)}, hive_partitioning = false)`;
  const { rows } = await w.query(`DESCRIBE SELECT * FROM ${source}`);
  const present = new Set(rows.map((r) => String(r.column_name)));
  const cols = STAGE_ROW_FIELDS.map((f) => {
    const type = duckdbTypeOf(f);
    return present.has(f.name) ? `CAST(${f.name} AS ${type}) AS ${f.name}` : `CAST(NULL AS ${type}) AS ${f.name}`;
  });
  return `CREATE OR REPLACE TEMP VIEW ${view} AS SELECT ${cols.join(', ')} FROM ${source}`;
}

/** A view over the staging CSV stageTextFile wrote (header, staging columns in order, values already valid). */
function stagedCsvViewSql(path: string, view: string): string {
  const columns = STAGE_ROW_FIELDS.map((f) => `${duckdbString(f.name)}: ${duckdbString(duckdbTypeOf(f))}`).join(', ');
  return `CREATE OR REPLACE TEMP VIEW ${view} AS SELECT * FROM read_csv(${duckdbString(path)}, header = true, columns = {${columns}})`;
}

/**
 * Drop what a crashed attempt at `file` may have left behind: its staging
 * tables (BigQuery keeps them; DuckDB's TEMP ones die with the connection).
 */
export async function dropLeftoverStaging(w: Warehouse, file: LandingFile): Promise<void> {
  if (w.dialect === 'duckdb') return;
  const names = stagingNames(file);
  await dropStaging(w, { rowsTable: names.rows, rejectsTable: names.rejects } as StagedFile);
}

/** Drop the file's staging tables and views (its local copy stays until it is disposed of). */
export async function dropStaging(w: Warehouse, staged: StagedFile): Promise<void> {
  if (staged.rowsTable && staged.rowsIsView) await w.run(`DROP VIEW IF EXISTS ${staged.rowsTable}`);
  else if (staged.rowsTable) await w.dropTable(staged.rowsTable);
  if (staged.rejectsTable) await w.dropTable(staged.rejectsTable);
  staged.rowsTable = undefined;
  staged.rejectsTable = undefined;
  staged.rowsIsView = undefined;
}

/** The file's scratch folder, made on first use. */
export async function scratchDirOf(staged: StagedFile): Promise<string> {
  if (!staged.workDir) staged.workDir = await makeWorkDir(BATCH_WORK_DIR_PREFIX);
  return staged.workDir.path;
}

/** Remove the file's local copy and scratch files, once it is disposed of. */
export async function releaseStaged(staged: StagedFile): Promise<void> {
  await staged.workDir?.remove();
  staged.workDir = undefined;
  staged.snapshot = undefined;
}
