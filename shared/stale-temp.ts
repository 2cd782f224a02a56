/**
 * Leftovers of killed runs. A run that is SIGKILLed (no handler can run) leaves
 * its temporary outputs behind: `.NAME.tmp-<pid>-<hex>` siblings of a target
 * (atomic.ts) and `<prefix><pid>-<random>` work folders. Both carry the pid of
 * the process that made them, so the next run that writes the same target (or
 * makes a work folder with the same prefix) removes those whose process no
 * longer exists; repeated crashes do not pile up half-written data.
 */
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseTempSibling } from './temp-name.ts';

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const isStale = (pid: number) => pid !== process.pid && !processAlive(pid);

async function namesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** Remove temp siblings of `finalPath` left by processes that no longer exist; returns their names. */
export async function removeStaleTemps(finalPath: string): Promise<string[]> {
  const dir = dirname(finalPath);
  const removed: string[] = [];
  for (const name of await namesIn(dir)) {
    const temp = parseTempSibling(name);
    if (temp?.of !== basename(finalPath) || !isStale(temp.pid)) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** Remove `<prefix><pid>-*` folders in `parent` whose process no longer exists. */
export async function removeStaleWorkDirs(parent: string, prefix: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await namesIn(parent)) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)-/.exec(name.slice(prefix.length));
    if (!m || !isStale(Number(m[1]))) continue;
    await rm(join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** Remove every temp sibling in `dir` whose process no longer exists (a folder a store writes into). */
export async function removeStaleTempsIn(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await namesIn(dir)) {
    const temp = parseTempSibling(name);
    if (!temp || !isStale(temp.pid)) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
