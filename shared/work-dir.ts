/**
 * A private scratch folder under the system temp folder, named
 * `<prefix><pid>-<random>`: removed by `remove()`, on SIGINT/SIGTERM/SIGHUP and
 * at exit (cleanup.ts), and — if the process was SIGKILLed — by the next run
 * that makes one with the same prefix (stale-temp.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeOnInterrupt } from './cleanup.ts';
import { removeStaleWorkDirs } from './stale-temp.ts';

export interface WorkDir {
  readonly path: string;
  remove(): Promise<void>;
}

const swept = new Set<string>();

export async function makeWorkDir(prefix: string): Promise<WorkDir> {
  if (!swept.has(prefix)) {
    swept.add(prefix);
    await removeStaleWorkDirs(tmpdir(), prefix);
  }
  const path = await mkdtemp(join(tmpdir(), `${prefix}${process.pid}-`));
  const forget = removeOnInterrupt(path);
  return {
    path,
    async remove() {
      await rm(path, { recursive: true, force: true });
      forget();
    },
  };
}
