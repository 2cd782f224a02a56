/**
 * Stage one landing file: get its rows into a per-file staging table without
 * touching the medallion tables, by the path that suits the format:
 *
 * - CSV/NDJSON (plain or gzip): validated in this process with the SDK (the full
 *   RecordValidator, line-level reasons) into a local CSV of valid rows and an
 *   NDJSON of rejected ones, both staged in the warehouse (Warehouse.stageFile).
 * - Parquet: validation happens in SQL at commit (validation-sql.ts); the file
 *   is staged as it is — pushed down, when the warehouse reads it where it is.
 *
 * Except when pushed down, a file is staged from a verified local copy
 * (snapshot.ts), which is also what gets archived; pushed down, the object's
 * generation after the staging must be the one listed. A file that changed
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
import type { ObjectStore } from '../../shared/storage/index.ts';
import { stagingFields } from '../../warehouse/tables.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { checkpoint } from '../crash.ts';
import type { LandingFile } from './landing-file.ts';
import type { PriorLoad } from '../../warehouse/load-log.ts';
import { parquetLayoutProblem } from './parquet-layout.ts';
import { FileChangedError, takeSnapshot } from './snapshot.ts';
import { inputCause, stageTextFile } from './stage-text.ts';

export interface StagedFile {
  file: LandingFile;
  attempt: number;
  startedAt: Date;
  /** Set when the file already has a final load_log row: nothing to load, only to dispose of. */
  prior?: PriorLoad;
  /** Why the whole file is refused (layout, encoding, compression). */
  layoutError?: string;
  /** Staging table (or view: see Warehouse.stageFile) of the rows, when rows were staged. */
  rowsTable?: string;
  /** Staging table of the rows refused in-process with their reasons (text files with such rows). */
  rejectsTable?: string;
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
function stagingNames(file: LandingFile): { rows: string; rejects: string } {
  const id = createHash('sha256').update(file.uri).digest('hex').slice(0, 16);
  return { rows: `stage_${id}_rows`, rejects: `stage_${id}_rejects` };
}

/** Bad input that rejects the file, as opposed to a failure of the warehouse or network (which fails the run). */
function layoutProblem(err: unknown, file: LandingFile): string | undefined {
  const input = inputCause(err);
  if (input) return input.context.line !== undefined ? `line ${input.context.line}: ${input.message}` : input.message;
  // Parquet the warehouse refuses to stage (not Parquet, wrong column types) is about the file, unless transient.
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
      // Staged from a verified copy, which is also what gets archived — unless the warehouse
      // reads the object where it is (push-down): then no copy is made.
      const localCopy = async (): Promise<string> => {
        staged.snapshot = await takeSnapshot(store, file, await scratchDirOf(staged));
        return staged.snapshot;
      };
      staged.rowsTable = names.rows;
      await w.stageFile({ uri: file.uri, localCopy }, names.rows, { format: 'PARQUET', fields: STAGE_ROW_FIELDS });
      if (staged.snapshot === undefined) {
        // Pushed down: the generation after the load tells whether it read the version listed
        // (GCS versions are immutable).
        const now = await store.stat(file.key);
        if (now?.generation !== file.generation) throw new FileChangedError(file, 'replaced while its load job ran');
      }
    } else {
      staged.snapshot = await takeSnapshot(store, file, await scratchDirOf(staged));
      await stageText(w, staged, names, opts.domains);
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
    staged.rejectsTable = names.rejects;
    await w.stageFile({ uri: text.rejectsPath }, names.rejects, {
      format: 'NEWLINE_DELIMITED_JSON',
      fields: STAGE_REJECT_FIELDS,
    });
  }
  // The staged CSV stays on disk until the commit (the warehouse may read it only then).
  staged.rowsTable = names.rows;
  await w.stageFile({ uri: text.validPath }, names.rows, { format: 'CSV', fields: STAGE_ROW_FIELDS });
}

/**
 * Drop what a crashed attempt at `file` may have left behind: its staging
 * tables (BigQuery keeps them; DuckDB's TEMP ones die with the connection).
 */
export async function dropLeftoverStaging(w: Warehouse, file: LandingFile): Promise<void> {
  const names = stagingNames(file);
  await dropStaging(w, { rowsTable: names.rows, rejectsTable: names.rejects } as StagedFile);
}

/** Drop the file's staging tables and views (its local copy stays until it is disposed of). */
export async function dropStaging(w: Warehouse, staged: StagedFile): Promise<void> {
  if (staged.rowsTable) await w.dropTable(staged.rowsTable);
  if (staged.rejectsTable) await w.dropTable(staged.rejectsTable);
  staged.rowsTable = undefined;
  staged.rejectsTable = undefined;
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
