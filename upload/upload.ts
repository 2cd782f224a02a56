/**
 * `salesflow upload` as a library: SRC file/folder → `gs://bucket/prefix` or a
 * local folder, `workers` files at a time through the object store (which uses
 * the GCS client's `bucket.upload`: multipart or resumable, CRC32C-validated,
 * retried by the client because every write carries a generation precondition).
 *
 * Unlike TransferManager.uploadManyFiles, one failure does not stop the rest:
 * every file gets a result, and the caller decides the exit code.
 */
import { stat } from 'node:fs/promises';
import { describeError, SalesflowError } from '../shared/errors.ts';
import { refuseOverlap } from '../shared/overlap.ts';
import {
  checksumFile,
  formatLocation,
  type GcsStoreOptions,
  isPreconditionFailed,
  isTransient,
  type ObjectChecksums,
  type ObjectInfo,
  type ObjectStore,
  openStore,
  normalizePrefix,
  parseLocation,
  sameContent,
  toStorageError,
} from '../shared/storage/index.ts';
import { type PlannedFile, planUpload } from './plan.ts';

/** Whole-file attempts for transient failures, on top of the client's own retries within one. */
const FILE_ATTEMPTS = 3;

export type FileStatus =
  /** Sent (or found already committed by an earlier attempt of this run, same bytes). */
  | 'uploaded'
  /** Already there with the same size and checksums. */
  | 'skipped'
  | 'failed'
  /** A completion marker not sent because other files failed. */
  | 'held-back'
  /** --dry-run: would be sent / skipped. */
  | 'would-upload'
  | 'would-skip';

export interface FileResult {
  relPath: string;
  /** Full destination (`gs://b/p/key` or a path). */
  uri: string;
  size: number;
  status: FileStatus;
  /** Replaced an existing, different object. */
  replaced?: boolean;
  /** Whole-file attempts made (each may include the client's own retries). */
  attempts?: number;
  /** For failures: what went wrong and whether retrying later may help. */
  error?: SalesflowError;
  /** Checksums of the object as stored (uploaded/skipped). */
  crc32c?: string;
  md5Hash?: string;
}

export interface UploadOptions {
  src: string;
  dest: string;
  /** Files in flight at once (default 8). */
  workers?: number;
  /** Extra prefix under DEST. */
  prefix?: string;
  /** Create the bucket/folder when missing (default true). */
  createBucket?: boolean;
  /** Bucket location when creating (default US). */
  location?: string;
  storageClass?: string;
  dryRun?: boolean;
  /** Re-upload even when the object already matches. */
  force?: boolean;
  /** GCS client settings (apiEndpoint for the test server, retryOptions). */
  store?: GcsStoreOptions;
  /** Called after each file (for progress): the result and bytes newly sent. */
  onFile?: (result: FileResult) => void;
  /** Bytes sent so far for in-flight files (progress between file completions). */
  onBytes?: (delta: number) => void;
  /** Called once the plan is known. */
  onPlan?: (files: readonly PlannedFile[]) => void;
}

export interface UploadSummary {
  dest: string;
  bucketCreated: boolean;
  files: FileResult[];
  uploaded: number;
  skipped: number;
  failed: number;
  heldBack: number;
  bytesUploaded: number;
  seconds: number;
  dryRun: boolean;
}

export async function upload(opts: UploadOptions): Promise<UploadSummary> {
  const start = performance.now();
  const workers = opts.workers ?? 8;
  const location = parseLocation(opts.dest);
  const prefix = normalizePrefix(opts.prefix ?? '', `--prefix ${opts.prefix}`);
  refuseOverlap({
    outputs: [{ path: prefix ? `${formatLocation(location)}/${prefix}` : opts.dest, role: 'DEST' }],
    inputs: [{ path: opts.src, role: 'SRC' }],
  });
  const store = openStore(location, opts.store);
  const plan = await planUpload(opts.src, { prefix });
  opts.onPlan?.(plan);

  let bucketCreated = false;
  let existing = new Map<string, ObjectInfo>();
  if (opts.dryRun) {
    existing = await listExisting(store, prefix, true);
  } else {
    ({ created: bucketCreated } = await store.ensureBucket({
      create: opts.createBucket ?? true,
      location: opts.location,
      storageClass: opts.storageClass,
    }));
    if (!bucketCreated) existing = await listExisting(store, prefix, false);
  }

  const data = plan.filter((f) => !f.marker);
  const markers = plan.filter((f) => f.marker);
  const results: FileResult[] = [];
  const run = async (files: PlannedFile[]) => {
    await forEachLimit(files, workers, async (file) => {
      const result = await uploadOne(store, file, existing.get(file.key), opts);
      results.push(result);
      opts.onFile?.(result);
    });
  };
  await run(data);
  // Markers say "this dataset is complete": only true if every data file landed.
  if (results.some((r) => r.status === 'failed')) {
    for (const m of markers) {
      const r: FileResult = { relPath: m.relPath, uri: store.uri(m.key), size: m.size, status: 'held-back' };
      results.push(r);
      opts.onFile?.(r);
    }
  } else {
    await run(markers);
  }

  results.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  const count = (s: FileStatus) => results.filter((r) => r.status === s).length;
  return {
    dest: formatLocation(location),
    bucketCreated,
    files: results,
    uploaded: count('uploaded') + count('would-upload'),
    skipped: count('skipped') + count('would-skip'),
    failed: count('failed'),
    heldBack: count('held-back'),
    bytesUploaded: results.filter((r) => r.status === 'uploaded').reduce((n, r) => n + r.size, 0),
    seconds: (performance.now() - start) / 1000,
    dryRun: opts.dryRun ?? false,
  };
}

/** What is already at the destination, by key (one listing instead of a stat per file). */
async function listExisting(
  store: ObjectStore,
  prefix: string,
  missingBucketOk: boolean,
): Promise<Map<string, ObjectInfo>> {
  try {
    const { objects } = await store.list(prefix ? `${prefix}/` : '');
    return new Map(objects.map((o) => [o.key, o]));
  } catch (err) {
    // Dry run against a bucket that does not exist yet: nothing is there.
    if (missingBucketOk && (err as { code?: unknown }).code === 'NOT_FOUND') return new Map();
    throw err;
  }
}

async function uploadOne(
  store: ObjectStore,
  file: PlannedFile,
  existing: ObjectInfo | undefined,
  opts: UploadOptions,
): Promise<FileResult> {
  const base = { relPath: file.relPath, uri: store.uri(file.key), size: file.size };
  let attempt = 0;
  let local: ObjectChecksums | undefined;
  const localSums = async () => {
    local ??= await checksumFile(file.path);
    return local;
  };
  try {
    let remote = existing;
    // A local destination lists without checksums: fill them in only when sizes agree.
    if (remote && remote.size === file.size && !remote.md5Hash && !remote.crc32c) remote = await store.stat(file.key);
    if (remote && !opts.force && remote.size === file.size && sameContent(await localSums(), remote)) {
      return {
        ...base,
        status: opts.dryRun ? 'would-skip' : 'skipped',
        crc32c: remote.crc32c,
        md5Hash: remote.md5Hash,
      };
    }
    if (opts.dryRun) return { ...base, status: 'would-upload', replaced: remote !== undefined };

    // Create-only for new objects, replace-exactly-this-generation for existing ones:
    // safe to retry, and a concurrent writer is never silently overwritten.
    const ifGenerationMatch = remote?.generation ?? 0;
    const before = await stat(file.path);
    let sent = 0;
    let info: ObjectInfo | undefined;
    while (info === undefined) {
      attempt++;
      try {
        info = await store.putFile(file.key, file.path, {
          ifGenerationMatch,
          storageClass: opts.storageClass,
          onProgress: (bytes) => {
            opts.onBytes?.(bytes - sent);
            sent = bytes;
          },
        });
      } catch (err) {
        if (isPreconditionFailed(err)) {
          info = await recoverFromPrecondition(store, file, remote, localSums, base.uri);
        } else if (attempt < FILE_ATTEMPTS && isTransient(err)) {
          // The client already retried within the upload; this restarts it from scratch
          // (safe: the generation precondition still guards the object).
          opts.onBytes?.(-sent);
          sent = 0;
          await sleep(250 * attempt);
        } else {
          throw err;
        }
      }
    }
    opts.onBytes?.(file.size - sent);
    await checkUnchanged(file.path, before, info, base.uri);
    return {
      ...base,
      status: 'uploaded',
      replaced: remote !== undefined,
      attempts: attempt,
      crc32c: info.crc32c,
      md5Hash: info.md5Hash,
    };
  } catch (err) {
    const error = toStorageError(err, { file: file.path, object: base.uri, step: 'upload' });
    return { ...base, status: 'failed', error, attempts: attempt || undefined };
  }
}

/**
 * A 412 on a create-only or replace-this-generation write can mean an earlier
 * attempt committed but its answer was lost: if the object now holds exactly our
 * bytes, the file is uploaded. Anything else is someone else's write.
 */
async function recoverFromPrecondition(
  store: ObjectStore,
  file: PlannedFile,
  remote: ObjectInfo | undefined,
  localSums: () => Promise<ObjectChecksums>,
  uri: string,
): Promise<ObjectInfo> {
  const now = await store.stat(file.key);
  if (now && now.generation !== remote?.generation && sameContent(await localSums(), now)) return now;
  throw new SalesflowError(`changed while uploading (another writer?); not overwriting it — re-run to compare again`, {
    code: 'CONFLICT',
    retry: 'transient',
    context: { file: file.path, object: uri, step: 'upload' },
  });
}

/**
 * A file written to while it was uploaded (a writer still appending) went up as
 * some mix of versions: say so instead of reporting it uploaded. A re-run
 * uploads the settled file (its checksum differs from the object's).
 */
async function checkUnchanged(
  path: string,
  before: { size: number; mtimeMs: number },
  info: ObjectInfo,
  uri: string,
): Promise<void> {
  const now = await stat(path);
  if (info.size === before.size && now.size === before.size && now.mtimeMs === before.mtimeMs) return;
  throw new SalesflowError(
    `changed while being uploaded (${before.size} bytes when it started, ${info.size} sent, ${now.size} now): ` +
      're-run once it is complete',
    { code: 'CHANGED', retry: 'transient', context: { file: path, object: uri, step: 'upload' } },
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Run `fn` over `items`, at most `limit` at a time, in order of the list. */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** "transient after retries" vs "terminal", for people reading the report. */
export function failureKind(err: SalesflowError | undefined): string {
  if (!err) return '';
  return err.transient ? 'transient (after retries)' : 'terminal';
}

export function describeFailure(r: FileResult): string {
  return `${r.relPath}: ${failureKind(r.error)}: ${describeError(r.error)}`;
}
