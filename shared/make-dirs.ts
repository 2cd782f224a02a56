/**
 * `mkdir -p` that always ends. Node's `mkdir(path, { recursive: true })` loops
 * forever (and never settles) when a parent exists but refuses children with
 * ENOENT — a dangling symlink, a path under /proc — because it takes ENOENT to
 * mean "create the parent first" again and again. Here a second ENOENT, once the
 * parent is known to exist, is final.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Create `dir` and its missing parents; an existing folder is fine. */
export async function makeDirs(dir: string): Promise<void> {
  try {
    await mkdir(dir);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return existingFolder(dir, err);
    if (code !== 'ENOENT' || dirname(dir) === dir) throw err;
  }
  await makeDirs(dirname(dir));
  try {
    await mkdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return existingFolder(dir, err);
    throw err;
  }
}

/** `dir` exists: fine if it is a folder (or a link to one), else the mkdir error. */
async function existingFolder(dir: string, mkdirError: unknown): Promise<void> {
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw mkdirError;
}
