/**
 * What happens to a source file once its outcome is committed — and only then
 * (this runs as the source batch's ack, which the SDK calls after every sink
 * committed): loaded files are archived (copied, then deleted) or deleted when
 * asked, rejected files are moved to the rejected area (never deleted), and
 * with neither option the file stays where it is (the load log keeps it from
 * being loaded again). A crash half-way (copied, not yet deleted) is finished by
 * the next run: the file is found already logged and disposed of again.
 */
import type { ObjectStore } from '../../shared/storage/index.ts';
import type { FileOutcome } from './commit.ts';
import { checkpoint } from './crash.ts';

export interface Disposal {
  /** Where loaded files go (same key under it). */
  archive?: ObjectStore;
  /** Delete loaded files instead of archiving them. */
  deleteSource?: boolean;
  /** Where rejected files go (same key under it). */
  rejected?: ObjectStore;
}

async function move(from: ObjectStore, key: string, to: ObjectStore): Promise<void> {
  await to.putStream(key, await from.getStream(key));
  await checkpoint('mid-archive', [key]);
  await from.delete(key);
}

/** Dispose of one file; returns a short description for the report. */
export async function disposeFile(source: ObjectStore, outcome: FileOutcome, d: Disposal): Promise<string> {
  if (outcome.status === 'rejected') {
    if (!d.rejected) return 'kept';
    await move(source, outcome.key, d.rejected);
    return `moved to ${d.rejected.uri(outcome.key)}`;
  }
  if (d.deleteSource) {
    await source.delete(outcome.key);
    return 'deleted';
  }
  if (d.archive) {
    await move(source, outcome.key, d.archive);
    return `archived to ${d.archive.uri(outcome.key)}`;
  }
  return 'kept';
}
