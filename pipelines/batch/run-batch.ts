/**
 * The batch pipeline, written with the pipelines SDK:
 *
 *   Read(Landing)        one element per new file, in batches ("groups") of files;
 *                        a batch's ack = dispose of its files
 *   → Stage              rows into per-file staging tables (in-process or pushed down)
 *   → Write(Commit)      one transaction per group: bronze, silver, quarantine, load_log
 *   (ack) Dispose        archive / delete / move to rejected/, only once committed
 *   then RefreshGold     re-create the gold views, check they answer
 *
 * A bundle is one group (up to `groupBytes` of files), so a file's ack — its
 * archive — follows its own group's commit, never a later one. Files stay
 * all-or-nothing inside a group (see commit.ts).
 */
import { refuseOverlap, skipsHidden } from '../../shared/overlap.ts';
import { checkDomains, loadDomains, type SalesDomains } from '../../shared/schema/index.ts';
import { UsageError } from '../../shared/errors.ts';
import {
  type GcsStoreOptions,
  isNotFound,
  NotFoundError,
  type ObjectStore,
  openStore,
} from '../../shared/storage/index.ts';
import { createProgress } from '../../shared/progress.ts';
import { loaderWarehousePlaces, type OpenWarehouseOptions, openWarehouse } from '../../warehouse/open.ts';
import { VIEW_NAMES } from '../../warehouse/views.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { boundedSource, DirectRunner, Pipeline, readFrom, writeTo } from '../sdk/index.ts';
import type { FileOutcome } from '../file-outcome.ts';
import { commitGroup } from './commit.ts';
import { checkpoint } from '../crash.ts';
import { type Disposal, type Placed, placeFile } from './dispose.ts';
import type { LandingFile } from './landing-file.ts';
import { listLanding } from './list-landing.ts';
import { readLoadLog, recordMovedTo } from '../../warehouse/load-log.ts';
import { dropLeftoverStaging, releaseStaged, scratchDirOf, type StagedFile, stageFile } from './stage.ts';

export const DEFAULT_MAX_ERROR_RATE = 0.05;
/**
 * Files committed together: up to this many bytes of landing files (at least
 * one file). 64 MiB is ~5M rows of to-parquet output or ~1.3M rows of CSV;
 * larger groups commit less often, but the group table (in memory on DuckDB,
 * spilled past its memory limit) grows with them.
 */
export const DEFAULT_GROUP_BYTES = 64 * 1024 * 1024;
const MAX_GROUP_FILES = 500;

export interface BatchOptions {
  /** Landing area: `gs://bucket/prefix` or a folder. */
  source: string;
  /** An open warehouse, or its spec (`duckdb:PATH`, `bigquery:PROJECT.DATASET`); default: the local DuckDB file. */
  warehouse?: Warehouse | string;
  /** Archive for loaded files (`gs://…` or a folder); same keys as in the landing area. */
  archive?: string;
  /** Delete loaded files instead of archiving them. */
  deleteSource?: boolean;
  /** Where rejected files go; default: `rejected/` next to the landing area. */
  rejected?: string;
  /** Largest share of invalid rows a file may have and still load (default 0.05). */
  maxErrorRate?: number;
  domains?: SalesDomains;
  storeOptions?: GcsStoreOptions;
  warehouseOptions?: OpenWarehouseOptions;
  /** Commit files in groups of up to this many bytes (default DEFAULT_GROUP_BYTES; 0: a file at a time). */
  groupBytes?: number;
  /** Leave files modified less than this long ago for a later run (writers still appending); default 0. */
  minAgeMs?: number;
  /** Called after each file is committed and disposed of. */
  onFile?: (outcome: FileOutcome) => void;
  /** Draw a progress line (default: stderr is a TTY). */
  progress?: boolean;
  /** `--no-create`: check that the warehouse has its tables and views, create none of them. */
  checkOnly?: boolean;
}

export interface BatchSummary {
  files: FileOutcome[];
  /** Keys in the landing area the pipeline does not read. */
  ignored: string[];
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  rowsDuplicate: number;
  /** False when any new file was rejected or had rows quarantined (the command exits 3). */
  ok: boolean;
  /** Files committed but not archived/deleted/moved (the next run finishes that; the command exits 1). */
  undisposed: string[];
  seconds: number;
}

/** `rejected/` as a sibling of the landing prefix (or folder); inside it when the landing area is a bucket root. */
export function defaultRejectedLocation(source: string): string {
  const trimmed = source.replace(/\/+$/, '');
  if (trimmed.startsWith('gs://') && !trimmed.slice(5).includes('/')) return `${trimmed}/_rejected`;
  const slash = trimmed.lastIndexOf('/');
  return slash <= 0 ? `${trimmed}/_rejected` : `${trimmed.slice(0, slash)}/rejected`;
}

export async function runBatch(opts: BatchOptions): Promise<BatchSummary> {
  const t0 = performance.now();
  const maxErrorRate = opts.maxErrorRate ?? DEFAULT_MAX_ERROR_RATE;
  // SALESFLOW_DOMAINS when not given: the same domains to-parquet and gen take.
  const domains = opts.domains ? checkDomains(opts.domains) : loadDomains();
  const rejected = opts.rejected ?? defaultRejectedLocation(opts.source);
  // Moving a file into an area that is, holds or sits (listed) inside the landing area would
  // re-list it, or delete the copy just made; a warehouse file there would be listed as a landing
  // file (and archived or rejected away). The listing skips hidden and `_` folders, so those may.
  refuseOverlap({
    outputs: [
      ...(opts.archive ? [{ path: opts.archive, role: '--archive' }] : []),
      { path: rejected, role: opts.rejected ? '--rejected' : 'rejected area' },
      ...loaderWarehousePlaces(opts.warehouse, opts.warehouseOptions),
    ],
    inputs: [{ path: opts.source, role: '--source', skips: skipsHidden }],
  });
  const source = openStore(opts.source, opts.storeOptions);
  await requireSource(source, opts.source);
  const disposal: Disposal = {
    archive: opts.archive ? openStore(opts.archive, opts.storeOptions) : undefined,
    deleteSource: opts.deleteSource,
    rejected: openStore(rejected, opts.storeOptions),
  };
  let stagedFiles = new Map<string, StagedFile>();
  const ownsWarehouse = typeof opts.warehouse !== 'object';
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
    const listed = await listLanding(source);
    await checkpoint(
      'after-list',
      listed.files.map((f) => f.key),
    );
    const outcomes = new Map<string, FileOutcome>();
    const undisposed: string[] = [];
    // Until disposed of, each file's verified local copy (what is archived), by key.
    stagedFiles = new Map<string, StagedFile>();
    const progress = createProgress({
      label: 'pipeline batch',
      total: listed.files.length,
      unit: 'files',
      enabled: opts.progress,
    });

    /**
     * Dispose of a committed group's files: copy each where it goes, record
     * where (load_log.moved_to, one statement), only then delete the sources —
     * so a crash in between leaves the sources for the next run to finish.
     */
    const disposeGroup = async (group: readonly LandingFile[]): Promise<void> => {
      const todo: { file: LandingFile; outcome: FileOutcome; staged: StagedFile; placed?: Placed }[] = [];
      const failed = (outcome: FileOutcome, err: unknown) => {
        outcome.disposition = `not disposed of (next run retries): ${(err as Error).message}`;
        undisposed.push(outcome.key);
      };
      try {
        for (const file of group) {
          const outcome = outcomes.get(file.key);
          const staged = stagedFiles.get(file.key);
          if (!outcome || !staged) continue;
          const entry: (typeof todo)[number] = { file, outcome, staged };
          todo.push(entry);
          try {
            entry.placed = await placeFile(source, file, outcome, disposal, {
              snapshot: staged.snapshot,
              scratch: () => scratchDirOf(staged),
            });
          } catch (err) {
            failed(outcome, err);
          }
        }
        const moved = todo.filter((t) => t.placed?.movedTo !== undefined);
        try {
          await recordMovedTo(
            w,
            moved.map((t) => ({ file: t.file.uri, attempt: t.staged.attempt, movedTo: t.placed?.movedTo as string })),
          );
        } catch (err) {
          for (const t of moved) {
            t.placed = undefined;
            failed(t.outcome, err);
          }
        }
        for (const t of todo) {
          if (!t.placed) continue;
          try {
            t.outcome.disposition = await t.placed.finish();
          } catch (err) {
            failed(t.outcome, err);
          }
        }
      } finally {
        for (const t of todo) await releaseStaged(t.staged);
      }
      for (const t of todo) {
        opts.onFile?.(t.outcome);
        progress.add(1, t.file.size);
      }
    };

    const p = new Pipeline();
    const files = p.apply(
      readFrom(
        boundedSource<LandingFile>('Landing', function* () {
          for (const group of groupFiles(listed.files, opts.groupBytes ?? DEFAULT_GROUP_BYTES)) {
            yield {
              values: group,
              // Runs only after the group's commit: the SDK acks a batch once every sink committed its outputs.
              ack: () => disposeGroup(group),
            };
          }
        }),
      ),
    );
    const staged = files.asyncMap(async (file): Promise<StagedFile> => {
      const prior = log.prior(file.uri, file.checksum);
      let s: StagedFile;
      if (prior) {
        // Loaded (or rejected) before; a crash may have left its staging tables behind.
        await dropLeftoverStaging(w, file);
        s = { file, attempt: prior.attempt, startedAt: new Date(), prior, rejectedInProcess: 0 };
      } else {
        s = await stageFile(w, source, file, log.nextAttempt(file.uri), {
          domains,
          minAgeMs: opts.minAgeMs,
        });
      }
      stagedFiles.set(file.key, s);
      return s;
    }, 'Stage');
    staged.apply(
      writeTo<StagedFile>(
        {
          name: 'Commit',
          async write(group) {
            const committed = await commitGroup(w, group, { maxErrorRate, domains });
            const now = Date.now();
            committed.forEach((outcome, i) => {
              outcome.seconds = (now - group[i].startedAt.getTime()) / 1000;
              outcomes.set(outcome.key, outcome);
            });
          },
        },
        // One write per bundle, and a bundle is one source batch: one group.
        { batchSize: Number.POSITIVE_INFINITY },
      ),
    );
    await new DirectRunner({ maxBundleSize: 1 }).run(p).waitUntilFinish();
    progress.finish();
    await refreshGold(w);

    const list = listed.files.map((f) => outcomes.get(f.key)).filter((o): o is FileOutcome => o !== undefined);
    const sum = (k: 'rowsRead' | 'rowsLoaded' | 'rowsRejected' | 'rowsDuplicate') => list.reduce((n, o) => n + o[k], 0);
    return {
      files: list,
      ignored: listed.ignored,
      rowsRead: sum('rowsRead'),
      rowsLoaded: sum('rowsLoaded'),
      rowsRejected: sum('rowsRejected'),
      rowsDuplicate: sum('rowsDuplicate'),
      // Waiting files are not an error (a later run loads them); rejected files and quarantined rows are.
      ok: list.every((o) => o.status === 'loaded' || o.status === 'waiting' || o.alreadyDone),
      undisposed,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    for (const s of stagedFiles.values()) await releaseStaged(s);
    if (ownsWarehouse) await w.close();
  }
}

/** A landing area that does not exist is a mistake in --source, not an empty landing area. */
async function requireSource(store: ObjectStore, source: string): Promise<void> {
  try {
    await store.ensureBucket({ create: false });
  } catch (err) {
    if (err instanceof NotFoundError || isNotFound(err)) {
      throw new UsageError(`source ${source} does not exist`, { object: source, step: 'list' });
    }
    throw err;
  }
}

/** Consecutive runs of files up to `maxBytes` together (a file larger than that is a group of its own). */
export function groupFiles(files: readonly LandingFile[], maxBytes: number): LandingFile[][] {
  const groups: LandingFile[][] = [];
  let current: LandingFile[] = [];
  let bytes = 0;
  for (const f of files) {
    if (current.length > 0 && (bytes + f.size > maxBytes || current.length >= MAX_GROUP_FILES)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += f.size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Gold is views over silver, so it is current once silver is; ensure() at the
 * start of the run re-created them (picking up definition changes). Check each answers.
 */
export async function refreshGold(w: Warehouse): Promise<void> {
  for (const v of VIEW_NAMES) await w.query(`SELECT COUNT(*) AS n FROM ${w.ref(v)}`);
}
