/**
 * What happens to a source file once its outcome is committed — and only then
 * (this runs as the source batch's ack, which the SDK calls after every sink
 * committed): loaded files are archived (copied, then deleted) or deleted when
 * asked, rejected files are moved to the rejected area (never deleted), and
 * with neither option the file stays where it is (the load log keeps it from
 * being loaded again). A crash half-way (copied, not yet deleted) is finished by
 * the next run: the file is found already logged and disposed of again.
 *
 * What is archived is what was loaded and logged: the run's verified copy of
 * the file (snapshot.ts), or on GCS the listed generation itself, copied
 * server-side. The source is deleted only if it is still that version; a file
 * changed since it was listed stays for the next run, which loads the new
 * version.
 */
import { isPreconditionFailed, type ObjectStore, versionChecksum } from '../../shared/storage/index.ts';
import type { FileOutcome } from '../file-outcome.ts';
import { checkpoint } from '../crash.ts';
import type { LandingFile } from './landing-file.ts';
import { takeSnapshot } from './snapshot.ts';

export interface Disposal {
  /** Where loaded files go (same key under it). */
  archive?: ObjectStore;
  /** Delete loaded files instead of archiving them. */
  deleteSource?: boolean;
  /** Where rejected files go (same key under it). */
  rejected?: ObjectStore;
}

/** The bytes this run loaded for a file: its verified copy, if one was made, and where to make one if needed. */
export interface LoadedBytes {
  snapshot?: string;
  /** Scratch folder for a copy made only now (a file loaded by an earlier run, or pushed down). */
  scratch: () => Promise<string>;
}

const CHANGED = 'the source changed since it was listed, so it stays for the next run';

/** moved: copied and the source deleted; copied: the source changed meanwhile, so kept; lost: see below. */
type Moved = 'moved' | 'copied' | 'lost';

/** Copy the version loaded to `to`, then delete the source if it is still that version. */
async function move(from: ObjectStore, file: LandingFile, to: ObjectStore, bytes: LoadedBytes): Promise<Moved> {
  if (from.pinsGenerations) {
    try {
      await from.copyTo(file.key, to, { generation: file.generation });
    } catch (err) {
      if (!isPreconditionFailed(err)) throw err;
      // The generation loaded was replaced (and is gone): archive this run's copy of it, if it made one.
      if (bytes.snapshot === undefined) return 'lost';
      await to.putFile(file.key, bytes.snapshot);
    }
  } else {
    // A local file can change while it is copied: archive a verified copy of the version loaded.
    const snapshot = bytes.snapshot ?? (await takeSnapshot(from, file, await bytes.scratch()));
    await to.putFile(file.key, snapshot);
  }
  await checkpoint('mid-archive', [file.key]);
  return (await deleteIfUnchanged(from, file)) ? 'moved' : 'copied';
}

/** What the report says about a move to `to`. */
function describeMove(moved: Moved, verb: string, to: string): string {
  if (moved === 'moved') return `${verb} to ${to}`;
  if (moved === 'copied') return `${verb} (a copy) to ${to}; ${CHANGED}`;
  return `not ${verb}: the version loaded was replaced before it could be copied (its rows are in the tables); the new version stays for the next run`;
}

async function deleteIfUnchanged(from: ObjectStore, file: LandingFile): Promise<boolean> {
  if (!(await sameBytesAsListed(from, file))) return false;
  try {
    await from.delete(file.key, { ifGenerationMatch: file.generation });
    return true;
  } catch (err) {
    if (isPreconditionFailed(err)) return false;
    throw err;
  }
}

/**
 * A local file's generation (mtime, size, inode) misses a quick in-place
 * rewrite of the same size: file timestamps come from a coarse clock. Its
 * checksum does not, so a local source is hashed again before it is deleted
 * (a rewrite between this and the unlink cannot be seen locally). On GCS the
 * generation precondition of the delete is exact.
 */
async function sameBytesAsListed(from: ObjectStore, file: LandingFile): Promise<boolean> {
  if (from.pinsGenerations) return true;
  const now = await from.stat(file.key);
  return now !== undefined && now.generation === file.generation && versionChecksum(now) === file.checksum;
}

/** Dispose of one file; returns a short description for the report. */
export async function disposeFile(
  source: ObjectStore,
  file: LandingFile,
  outcome: FileOutcome,
  d: Disposal,
  bytes: LoadedBytes,
): Promise<string> {
  if (outcome.status === 'waiting') return `left in place: ${outcome.error}`;
  if (outcome.status === 'rejected') {
    if (!d.rejected) return 'kept';
    return describeMove(await move(source, file, d.rejected, bytes), 'moved', d.rejected.uri(file.key));
  }
  if (d.deleteSource) return (await deleteIfUnchanged(source, file)) ? 'deleted' : `not deleted: ${CHANGED}`;
  if (d.archive) return describeMove(await move(source, file, d.archive, bytes), 'archived', d.archive.uri(file.key));
  return 'kept';
}
