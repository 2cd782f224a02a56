/**
 * Names of temporary siblings: `.NAME.tmp-<pid>-<hex>` next to NAME. Hidden
 * (readers and listings skip them), tied to their target's name, and carrying
 * the pid of the process that made them, so a leftover can be told from a
 * write in progress (stale-temp.ts).
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export function tempSiblingPath(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

const TEMP_SIBLING = /^\.(.+)\.tmp-(\d+)-[0-9a-f]+$/;

/** For a name tempSiblingPath made: the final name it stands in for and the pid that made it. */
export function parseTempSibling(name: string): { of: string; pid: number } | undefined {
  const m = TEMP_SIBLING.exec(name);
  return m ? { of: m[1], pid: Number(m[2]) } : undefined;
}
