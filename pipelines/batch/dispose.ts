/**
 * What happens to a source file once its outcome is committed — and only then
 * (this runs as the source batch's ack, which the SDK calls after every sink
 * committed): loaded files are archived (copied, then deleted) or deleted when
 * asked, rejected files are moved to the rejected area (never deleted), and
 * with neither option the file stays where it is (the load log keeps it from
 * being loaded again). A crash half-way (copied, not yet deleted) is finished by
 * the next run: the file is found already logged and disposed of again.
 *
 * Two steps, so that where a file went is recorded (load_log.moved_to) between
 * them: `placeFile` copies it, `finish` deletes the source. A crash before the
 * record leaves the source in place, and the re-run records it.
 *
 * What is archived is what was loaded and logged: the run's verified copy of
 * the file (snapshot.ts), or on GCS the listed generation itself, copied
 * server-side. The source is deleted only if it is still that version; a file
 * changed since it was listed stays for the next run, which loads the new
 * version.
 *
 * Copies never replace anything (create-only): a name in the archive that
 * already holds the same bytes counts as archived (a re-run finishing a crashed
 * one); one holding other bytes (an earlier file of the same name) is kept, and
 * the file goes to its versioned name beside it (archive-name.ts).
 */
import { ConflictError } from '../../shared/errors.ts';
import {
  isPreconditionFailed,
  type ObjectInfo,
  type ObjectStore,
  sameContent,
  splitVersionChecksum,
  versionChecksum,
} from '../../shared/storage/index.ts';
import type { FileOutcome } from '../file-outcome.ts';
import { checkpoint } from '../crash.ts';
import { versionedKey } from './archive-name.ts';
import type { LandingFile } from './landing-file.ts';
import { takeSnapshot } from './snapshot.ts';

export interface Disposal {
  /** Where loaded files go (same key under it, or its versioned name). */
  archive?: ObjectStore;
  /** Delete loaded files instead of archiving them. */
  deleteSource?: boolean;
  /** Where rejected files go (same key under it, or its versioned name). */
  rejected?: ObjectStore;
}

/** The bytes this run loaded for a file: its verified copy, if one was made, and where to make one if needed. */
export interface LoadedBytes {
  snapshot?: string;
  /** Scratch folder for a copy made only now (a file loaded by an earlier run, or pushed down). */
  scratch: () => Promise<string>;
}

/** A file placed where it goes; `finish` removes the source where that is due and says what happened. */
export interface Placed {
  /** The archive or rejected-area URI the file was copied to (load_log.moved_to). */
  movedTo?: string;
  finish: () => Promise<string>;
}

const CHANGED = 'the source changed since it was listed, so it stays for the next run';

const done = (text: string): Placed => ({ finish: async () => text });

/** First step of disposing of one file: copy it where it goes (nothing is deleted yet). */
export async function placeFile(
  source: ObjectStore,
  file: LandingFile,
  outcome: FileOutcome,
  d: Disposal,
  bytes: LoadedBytes,
): Promise<Placed> {
  if (outcome.status === 'waiting') return done(`left in place: ${outcome.error}`);
  if (outcome.status === 'rejected') {
    return d.rejected ? moveTo(source, file, d.rejected, bytes, 'moved') : done('kept');
  }
  if (d.deleteSource) {
    return { finish: async () => ((await deleteIfUnchanged(source, file)) ? 'deleted' : `not deleted: ${CHANGED}`) };
  }
  return d.archive ? moveTo(source, file, d.archive, bytes, 'archived') : done('kept');
}

/** Copy the version loaded into `to`; finishing deletes the source if it is still that version. */
async function moveTo(
  from: ObjectStore,
  file: LandingFile,
  to: ObjectStore,
  bytes: LoadedBytes,
  verb: string,
): Promise<Placed> {
  const key = await copyOnce(from, file, to, bytes);
  if (key === undefined) {
    return done(
      `not ${verb}: the version loaded was replaced before it could be copied (its rows are in the tables); the new version stays for the next run`,
    );
  }
  await checkpoint('mid-archive', [file.key]);
  const uri = to.uri(key);
  const where = key === file.key ? uri : `${uri} (${to.uri(file.key)} holds other bytes)`;
  return {
    movedTo: uri,
    finish: async () =>
      (await deleteIfUnchanged(from, file)) ? `${verb} to ${where}` : `${verb} (a copy) to ${where}; ${CHANGED}`,
  };
}

/**
 * Copy the version loaded to `to` under the file's key, or its versioned name
 * when the key holds other bytes, never replacing anything; the key it is
 * under, or undefined when on GCS the generation loaded is gone and this run
 * has no copy of it.
 */
async function copyOnce(
  from: ObjectStore,
  file: LandingFile,
  to: ObjectStore,
  bytes: LoadedBytes,
): Promise<string | undefined> {
  let snapshot = bytes.snapshot;
  let generationGone = false;
  /** Create `key` in `to`: written, lost (the version loaded is gone), or taken (by what is there, if it still is). */
  const create = async (key: string): Promise<'written' | 'lost' | { taken?: ObjectInfo }> => {
    const existing = await to.stat(key);
    if (existing) return { taken: existing };
    if (from.pinsGenerations && !generationGone) {
      try {
        await from.copyTo(file.key, to, { generation: file.generation, toKey: key, ifGenerationMatch: 0 });
        return 'written';
      } catch (err) {
        if (!isPreconditionFailed(err)) throw err;
        const made = await to.stat(key); // created meanwhile?
        if (made) return { taken: made };
        // The generation loaded was replaced (and is gone): archive this run's copy of it, if it made one.
        generationGone = true;
        if (snapshot === undefined) return 'lost';
      }
    }
    // A local file can change while it is copied: archive a verified copy of the version loaded.
    snapshot ??= await takeSnapshot(from, file, await bytes.scratch());
    try {
      await to.putFile(key, snapshot, { ifGenerationMatch: 0 });
      return 'written';
    } catch (err) {
      if (!isPreconditionFailed(err)) throw err;
      return { taken: await to.stat(key) }; // created meanwhile
    }
  };
  const versioned = versionedKey(file.key, file.checksum);
  for (const key of [file.key, versioned]) {
    const made = await create(key);
    if (made === 'lost') return undefined;
    if (made === 'written' || (made.taken !== undefined && holdsVersion(made.taken, file))) return key;
  }
  throw new ConflictError(
    `${to.uri(file.key)} and ${to.uri(versioned)} both hold other bytes than the version loaded: not copied, the file stays`,
    { file: file.uri, object: to.uri(versioned), step: 'dispose' },
  );
}

/** Does the object `there` hold the bytes listed for `file` (same size and checksum)? */
function holdsVersion(there: ObjectInfo, file: LandingFile): boolean {
  const { kind, value } = splitVersionChecksum(file.checksum);
  const listed = {
    size: file.size,
    md5Hash: kind === 'md5' ? value : undefined,
    crc32c: kind === 'crc32c' ? value : undefined,
  };
  return sameContent(there, listed) === true;
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
