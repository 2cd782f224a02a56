/**
 * A killed run leaves its `.OUTDIR.tmp-<pid>-<hex>` sibling behind (never OUTDIR itself).
 * The next run removes such leftovers when their process is gone, so repeated crashes do
 * not pile up half-written datasets.
 */
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseTempSibling } from '../shared/atomic.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove temp siblings of `finalPath` left by processes that no longer exist; returns their names. */
export async function removeStaleTemps(finalPath: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dirname(finalPath));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const temp = parseTempSibling(name);
    if (temp?.of !== basename(finalPath) || temp.pid === process.pid || alive(temp.pid)) continue;
    await rm(join(dirname(finalPath), name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
