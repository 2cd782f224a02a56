/**
 * gs:// sources for the local engines. DuckDB's httpfs extension cannot be
 * downloaded here (no network beyond npm), and parquet-wasm reads local files
 * by range, so a gs:// lake is first mirrored into a local cache folder through
 * the object store (shared/storage), then aggregated like a local lake. A file
 * already in the cache with the same size and CRC32C is not fetched again; each
 * download lands atomically, so an interrupted fetch never leaves a truncated
 * file that looks complete.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { ConflictError, InputError, TransientError } from '../shared/errors.ts';
import { makeDirs } from '../shared/make-dirs.ts';
import {
  checksumFile,
  type GcsStoreOptions,
  isPreconditionFailed,
  joinKey,
  localPathOf,
  openStore,
  parseLocation,
  sameContent,
} from '../shared/storage/index.ts';

import { storeLake } from './store-lake.ts';

export const DEFAULT_CACHE_DIR = join('.salesflow', 'cache', 'gcs');

export interface CacheResult {
  /** Local folder mirroring the gs:// prefix. */
  dir: string;
  fetched: number;
  reused: number;
  /** Cached files no longer in the bucket, deleted. */
  removed: number;
}

/** Is a key a data file (not a hidden temp object, nor `_SUCCESS`/`_manifest.json`)? */
export function isDataKey(key: string): boolean {
  const parts = key.split('/');
  return parts.every((p) => !p.startsWith('.') && !p.startsWith('_')) && /\.(parquet|csv)$/i.test(key);
}

/** Marks a folder as a mirror this module made, so pruning it never deletes anyone else's files. */
export const CACHE_MARKER = '.salesflow-cache';

/**
 * The mirror folder is pruned (files gone from the bucket are deleted), so it
 * must be one this module made: empty, missing, or carrying the marker.
 */
async function claimCacheDir(dir: string): Promise<void> {
  if (existsSync(dir) && !existsSync(join(dir, CACHE_MARKER)) && readdirSync(dir).length > 0) {
    throw new ConflictError(
      `cache folder ${dir} holds files and is not a salesflow cache (no ${CACHE_MARKER}); mirroring would delete ` +
        'files there that the bucket lacks: pick another --cache-dir, or empty it',
      { file: dir, step: 'cache' },
    );
  }
  await makeDirs(dir);
  await writeFile(join(dir, CACHE_MARKER), '');
}

export async function cacheGcsSource(
  uri: string,
  opts: { cacheDir?: string; store?: GcsStoreOptions; onFile?: (done: number, total: number) => void } = {},
): Promise<CacheResult> {
  const loc = parseLocation(uri);
  if (loc.kind !== 'gcs') throw new InputError(`${uri} is not a gs:// location`, { object: uri });
  const store = openStore(loc, opts.store);
  // Every local path stays inside the cache; a bucket holding a name that would not (`../x`, `a//b`) is refused whole.
  const dir = localPathOf(opts.cacheDir ?? DEFAULT_CACHE_DIR, joinKey(loc.bucket, loc.prefix));
  const { objects } = await store.list('', { recursive: true });
  for (const o of objects) if (!o.key.endsWith('/')) localPathOf(dir, o.key);
  // Only what the lake's layout defines is fetched (a `backup/` copy inside it is not data), and its
  // _manifest.json with it, which says the layout.
  const lake = await storeLake(store, objects);
  const data = [...lake.files, ...objects.filter((o) => o.key === '_manifest.json' || o.key === '_SUCCESS')];
  if (lake.files.length === 0) {
    throw new InputError(`no Parquet files under ${uri}`, { object: uri, step: 'list source' });
  }
  const locals = data.map((o) => localPathOf(dir, o.key));
  await claimCacheDir(dir);
  let fetched = 0;
  let reused = 0;
  for (const [i, o] of data.entries()) {
    const local = locals[i];
    if (existsSync(local) && statSync(local).size === o.size && sameContent(await checksumFile(local), o) === true) {
      reused++;
    } else {
      await makeDirs(join(local, '..'));
      try {
        // The version listed (its size and CRC32C decide reuse next time), or nothing.
        await store.getFile(o.key, local, { generation: o.generation });
      } catch (err) {
        if (!isPreconditionFailed(err)) throw err;
        throw new TransientError(
          `the lake changed while it was being read (${store.uri(o.key)} was replaced); run again`,
          {
            object: store.uri(o.key),
            step: 'cache',
          },
        );
      }
      fetched++;
    }
    opts.onFile?.(i + 1, data.length);
  }
  // A file deleted from the bucket must not linger in the cache and be counted.
  const wanted = new Set(locals);
  let removed = 0;
  for (const rel of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const full = join(dir, rel);
    const key = rel.split(sep).join('/');
    if ((isDataKey(key) || key === '_manifest.json' || key === '_SUCCESS') && !wanted.has(full)) {
      await rm(full, { force: true });
      removed++;
    }
  }
  return { dir, fetched, reused, removed };
}
