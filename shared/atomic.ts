/**
 * Atomic outputs: write to a temporary sibling, rename into place when complete.
 * An interrupted run leaves only a `.name.tmp-*` sibling, never a file or folder
 * that looks complete (and a signal removes even that: cleanup.ts). Refuses to
 * replace an existing output unless forced, and even forced, replaces only an
 * output of the same kind — a file with a file, a dataset folder with a
 * dataset folder — never an unrelated folder.
 */
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { removeOnInterrupt } from './cleanup.ts';
import { ConflictError, writeFailure } from './errors.ts';
import { makeDirs } from './make-dirs.ts';
import { removeStaleTemps } from './stale-temp.ts';
import { tempSiblingPath } from './temp-name.ts';

export { parseTempSibling, tempSiblingPath } from './temp-name.ts';

export interface AtomicTarget {
  /** Where to write. */
  readonly tmpPath: string;
  readonly finalPath: string;
  /** Move the temporary output into place (replacing the old one if forced). */
  commit(): Promise<void>;
  /** Remove the temporary output. Safe to call after commit (no-op). */
  abort(): Promise<void>;
}

/** What an output is, so that --force replaces only a previous output of the same kind. */
export interface OutputKind {
  /** For messages: what --force may replace ("a file", "an empty folder or a to-parquet output folder"). */
  readonly replaces: string;
  /** Is the existing entry at `path` an output of this kind? */
  matches(path: string): boolean;
}

/** A file output: --force replaces a file (or a link to one), never a folder. */
export const FILE_OUTPUT: OutputKind = {
  replaces: 'a file',
  matches: (path) => {
    try {
      return statSync(path).isFile();
    } catch {
      return lstatSync(path).isSymbolicLink(); // a dangling link: replacing it loses nothing
    }
  },
};

/** A folder output: --force replaces an empty folder or one `isOwn` recognises (e.g. by its manifest). */
export function folderOutput(description: string, isOwn: (path: string) => boolean): OutputKind {
  return {
    replaces: `an empty folder or ${description}`,
    matches: (path) => {
      try {
        return statSync(path).isDirectory() && (readdirSync(path).length === 0 || isOwn(path));
      } catch {
        return false;
      }
    },
  };
}

/**
 * Prepare an atomic file or folder output. With `force` an existing target of
 * the same kind is replaced at commit time (old one moved aside, then removed),
 * never before. Stale temp siblings of the target left by killed runs are removed.
 */
export async function prepareAtomicOutput(
  finalPath: string,
  opts: { force?: boolean; what?: string; kind?: OutputKind } = {},
): Promise<AtomicTarget> {
  const what = opts.what ?? 'output';
  const kind = opts.kind ?? FILE_OUTPUT;
  const refuseExisting = () => {
    if (!opts.force) {
      throw new ConflictError(`${what} ${finalPath} already exists; use -f/--force to replace it`, {
        file: finalPath,
      });
    }
    if (!kind.matches(finalPath)) {
      throw new ConflictError(
        `${what} ${finalPath} exists and is not a previous output of this kind; --force replaces only ${kind.replaces}`,
        { file: finalPath },
      );
    }
  };
  if (exists(finalPath)) refuseExisting();
  // A folder that cannot be made (a file in its place, no permission) names the output, as a failed write does.
  await makeDirs(dirname(finalPath)).catch((err: unknown) => {
    throw writeFailure(err, finalPath);
  });
  await removeStaleTemps(finalPath);
  const tmpPath = tempSiblingPath(finalPath);
  const forgetTmp = removeOnInterrupt(tmpPath);
  let committed = false;
  return {
    tmpPath,
    finalPath,
    async commit() {
      if (exists(finalPath)) {
        // Checked again: something may have appeared (or changed kind) while this ran.
        refuseExisting();
        if (lstatSync(finalPath).isDirectory()) {
          // A folder cannot be renamed over: move the old one aside first. Killed in between,
          // both are left as temp siblings (the new one complete), swept by the next run.
          forgetTmp();
          const trash = tempSiblingPath(finalPath);
          await rename(finalPath, trash);
          await rename(tmpPath, finalPath);
          await rm(trash, { recursive: true, force: true });
        } else {
          await rename(tmpPath, finalPath); // replaces a file atomically
        }
      } else {
        await rename(tmpPath, finalPath);
      }
      committed = true;
      forgetTmp();
    },
    async abort() {
      if (!committed) await rm(tmpPath, { recursive: true, force: true });
      forgetTmp();
    },
  };
}

/** Exists, or is a (possibly dangling) link. */
function exists(path: string): boolean {
  if (existsSync(path)) return true;
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
