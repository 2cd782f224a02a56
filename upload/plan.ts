/**
 * What to upload: every file under SRC (or SRC itself), with the object key it
 * gets (relative path with `/`, under the destination prefix). Completion
 * markers (`_SUCCESS`, `_manifest.json`) are set apart: they go up last, and
 * only when everything else landed, so a partial upload never looks complete.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { parseTempSibling } from '../shared/atomic.ts';
import { UsageError } from '../shared/errors.ts';
import { joinKey, normalizePrefix } from '../shared/storage/index.ts';

export interface PlannedFile {
  /** Absolute local path. */
  path: string;
  /** Path relative to SRC, with `/` (the basename when SRC is a file). */
  relPath: string;
  /** Object key relative to the destination store root. */
  key: string;
  size: number;
  /** A completion marker: uploaded after every other file succeeded. */
  marker: boolean;
}

export const COMPLETION_MARKERS = new Set(['_SUCCESS', '_manifest.json']);

/** Temp siblings from shared/atomic.ts: half-written outputs, never uploaded. */

export async function planUpload(src: string, opts: { prefix?: string } = {}): Promise<PlannedFile[]> {
  let top: Awaited<ReturnType<typeof stat>>;
  try {
    top = await stat(src);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? 'SRC does not exist' : `SRC cannot be read (${code ?? String(err)})`, {
      file: src,
    });
  }
  const prefix = normalizePrefix(opts.prefix ?? '');
  if (top.isFile()) {
    const name = basename(src);
    return [{ path: src, relPath: name, key: joinKey(prefix, name), size: top.size, marker: false }];
  }
  if (!top.isDirectory()) throw new UsageError('SRC is neither a file nor a folder', { file: src });

  const files: PlannedFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw new UsageError(`cannot read folder (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
        file: dir,
      });
    }
    for (const e of entries) {
      if (parseTempSibling(e.name)) continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.isFile()) {
        const relPath = relative(src, path).split(sep).join('/');
        const { size } = await stat(path);
        files.push({ path, relPath, key: joinKey(prefix, relPath), size, marker: COMPLETION_MARKERS.has(e.name) });
      }
    }
  };
  await walk(src);
  files.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  return files;
}
