/**
 * Atomic outputs: write to a temporary sibling, rename into place when complete.
 * An interrupted run leaves only a `.name.tmp-*` sibling, never a file or folder
 * that looks complete. Refuses to replace existing output unless forced.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConflictError } from './errors.ts';
import { makeDirs } from './make-dirs.ts';

export interface AtomicTarget {
  /** Where to write. */
  readonly tmpPath: string;
  readonly finalPath: string;
  /** Move the temporary output into place (replacing the old one if forced). */
  commit(): Promise<void>;
  /** Remove the temporary output. Safe to call after commit (no-op). */
  abort(): Promise<void>;
}

export function tempSiblingPath(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

const TEMP_SIBLING = /^\.(.+)\.tmp-(\d+)-[0-9a-f]+$/;

/** For a name tempSiblingPath made: the final name it stands in for and the pid that made it. */
export function parseTempSibling(name: string): { of: string; pid: number } | undefined {
  const m = TEMP_SIBLING.exec(name);
  return m ? { of: m[1], pid: Number(m[2]) } : undefined;
}

/**
 * Prepare an atomic file or folder output. With `force` an existing target is
 * replaced at commit time (old one moved aside, then removed), never before.
 */
export async function prepareAtomicOutput(
  finalPath: string,
  opts: { force?: boolean; what?: string } = {},
): Promise<AtomicTarget> {
  if (existsSync(finalPath) && !opts.force) {
    throw new ConflictError(`${opts.what ?? 'output'} ${finalPath} already exists; use -f/--force to replace it`, {
      file: finalPath,
    });
  }
  await makeDirs(dirname(finalPath));
  const tmpPath = tempSiblingPath(finalPath);
  let committed = false;
  return {
    tmpPath,
    finalPath,
    async commit() {
      if (existsSync(finalPath)) {
        if (!opts.force)
          throw new ConflictError(`${finalPath} appeared while writing; not replacing it`, { file: finalPath });
        const trash = tempSiblingPath(`${finalPath}.old`);
        await rename(finalPath, trash);
        await rename(tmpPath, finalPath);
        await rm(trash, { recursive: true, force: true });
      } else {
        await rename(tmpPath, finalPath);
      }
      committed = true;
    },
    async abort() {
      if (!committed) await rm(tmpPath, { recursive: true, force: true });
    },
  };
}
