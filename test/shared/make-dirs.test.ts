/**
 * makeDirs always settles: Node's recursive mkdir never does where a parent
 * exists but refuses children with ENOENT (a dangling symlink, /proc).
 */
import { existsSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirs } from '../../shared/make-dirs.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-make-dirs-');

/** Rejects if `p` has not settled within `ms` (a hang is the failure this test is about). */
function settles<T>(p: Promise<T>, ms = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

describe('makeDirs', () => {
  it('creates missing parents and accepts existing folders (and links to them)', async () => {
    const deep = join(tmp(), 'a', 'b', 'c');
    await makeDirs(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    await makeDirs(deep);
    mkdirSync(join(tmp(), 'real'));
    symlinkSync(join(tmp(), 'real'), join(tmp(), 'link'));
    await makeDirs(join(tmp(), 'link', 'x'));
    expect(existsSync(join(tmp(), 'real', 'x'))).toBe(true);
  });

  it('fails promptly where a parent cannot hold folders', async () => {
    symlinkSync(join(tmp(), 'nowhere'), join(tmp(), 'dangling'));
    writeFileSync(join(tmp(), 'file'), '');
    // The dangling link is a name in the way, not a folder.
    await expect(settles(makeDirs(join(tmp(), 'dangling', 'out', 'deeper')))).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(settles(makeDirs('/proc/salesflow-x/y'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(settles(makeDirs(join(tmp(), 'file', 'sub')))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(settles(makeDirs(join(tmp(), 'file')))).rejects.toMatchObject({ code: 'EEXIST' });
  });
});
