/**
 * What the pipeline loads, logs and archives must be the same bytes, even when
 * a landing file is appended to or replaced while the run handles it. So a
 * file is first copied into the run's scratch folder — on GCS the listed
 * generation exactly, locally a (reflink) copy of the file — and the copy is
 * checked against the listing (size and checksum). Rows are staged from the
 * copy, the load_log row describes it, and it is what goes to the archive. A
 * copy that does not match means the file changed since it was listed: it is
 * left for a later run (still being written?), not loaded, logged or moved.
 */
import { basename, join } from 'node:path';
import { SalesflowError } from '../../shared/errors.ts';
import {
  fileChecksum,
  isNotFound,
  isPreconditionFailed,
  type ObjectStore,
  splitVersionChecksum,
} from '../../shared/storage/index.ts';
import type { LandingFile } from './landing-file.ts';

/** The landing file is not the version listed any more. Transient: the next run sees the new version. */
export class FileChangedError extends SalesflowError {
  constructor(file: LandingFile, what: string) {
    super(`changed while being read (${what}): still being written? The next run loads it once it is stable`, {
      code: 'FILE_CHANGED',
      retry: 'transient',
      context: { file: file.uri, step: 'snapshot' },
    });
  }
}

/** Copy `file` into `dir` and check it is the version listed; returns the copy's path. */
export async function takeSnapshot(store: ObjectStore, file: LandingFile, dir: string): Promise<string> {
  const path = join(dir, `snapshot-${basename(file.key)}`);
  try {
    await store.getFile(file.key, path, { generation: file.generation });
  } catch (err) {
    if (isPreconditionFailed(err) || isNotFound(err))
      throw new FileChangedError(file, 'modified, replaced or removed since it was listed');
    throw err;
  }
  const { kind, value: listed } = splitVersionChecksum(file.checksum);
  const copy = await fileChecksum(path, kind === 'crc32c' ? 'crc32c' : 'md5');
  if (copy.size !== file.size) {
    throw new FileChangedError(file, `listed with ${file.size} bytes, read ${copy.size}`);
  }
  if (kind !== 'size' && copy.value !== listed)
    throw new FileChangedError(file, `its ${kind} differs from the listing`);
  return path;
}
