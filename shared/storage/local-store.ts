/**
 * A local folder standing in for a bucket: keys are relative paths, every write
 * goes to a temp sibling and is renamed into place, so a reader never sees a
 * half-written object. Temp siblings (`.name.tmp-*`) are invisible to list.
 */
import { constants, createWriteStream } from 'node:fs';
import { copyFile, link, readdir, rm, stat, unlink, writeFile, rename, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { removeOnInterrupt } from '../cleanup.ts';
import { removeStaleTempsIn } from '../stale-temp.ts';
import { parseTempSibling, tempSiblingPath } from '../temp-name.ts';
import { UsageError } from '../errors.ts';
import { makeDirs } from '../make-dirs.ts';
import { checksumFile } from './checksum.ts';
import { contentTypeFor } from './content-type.ts';
import { type Location, formatLocation, joinKey, localPathOf } from './location.ts';
import type {
  ByteRange,
  CopyOptions,
  EnsureBucketOptions,
  ListOptions,
  ListResult,
  ObjectInfo,
  ObjectStore,
  PutOptions,
  ReadOptions,
} from './object-store.ts';
import { NotFoundError, PreconditionFailedError, toStorageError } from './storage-errors.ts';

export class LocalStore implements ObjectStore {
  readonly location: Location & { kind: 'local' };
  readonly url: string;
  readonly pinsGenerations = false;
  /** Folders already cleared of dead runs' temp siblings. */
  private readonly swept = new Set<string>();

  constructor(location: Location & { kind: 'local' }) {
    this.location = location;
    this.url = formatLocation(location);
  }

  uri(key: string): string {
    return this.pathOf(key);
  }

  /** Filesystem path of a key; refuses keys that would escape the folder. */
  pathOf(key: string): string {
    if (key.startsWith('/')) throw new UsageError(`object key ${key} must be a relative path`, { object: key });
    const full = joinKey(this.location.prefix, key);
    return full === '' ? this.location.root : localPathOf(this.location.root, full);
  }

  async putFile(key: string, localPath: string, opts: PutOptions = {}): Promise<ObjectInfo> {
    return this.write(key, opts, async (tmp) => {
      await copyFile(localPath, tmp);
    });
  }

  async putBuffer(key: string, data: Uint8Array | string, opts: PutOptions = {}): Promise<ObjectInfo> {
    return this.write(key, opts, (tmp) => writeFile(tmp, data));
  }

  async putStream(key: string, stream: Readable, opts: PutOptions = {}): Promise<ObjectInfo> {
    return this.write(key, opts, (tmp) => pipeline(stream, createWriteStream(tmp)));
  }

  /**
   * A temp sibling for `path`, removed if the process is interrupted; the
   * first time a folder is written to, leftovers of killed runs in it go.
   */
  private async tempFor(path: string): Promise<{ tmp: string; forget: () => void }> {
    const dir = dirname(path);
    await makeDirs(dir);
    if (!this.swept.has(dir)) {
      this.swept.add(dir);
      await removeStaleTempsIn(dir);
    }
    const tmp = tempSiblingPath(path);
    return { tmp, forget: removeOnInterrupt(tmp) };
  }

  /** Write to a temp sibling, then move into place honouring ifGenerationMatch. */
  private async write(key: string, opts: PutOptions, fill: (tmp: string) => Promise<void>): Promise<ObjectInfo> {
    const path = this.pathOf(key);
    const { tmp, forget } = await this.tempFor(path);
    try {
      await fill(tmp);
      if (opts.ifGenerationMatch !== undefined && String(opts.ifGenerationMatch) === '0') {
        // Create-only: link() fails if the name exists, so no window where we replace a file.
        try {
          await link(tmp, path);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
            throw new PreconditionFailedError(`write ${path}: precondition failed (object exists)`, {
              object: path,
              step: 'put',
            });
          }
          throw err;
        }
        await unlink(tmp);
      } else {
        if (opts.ifGenerationMatch !== undefined) {
          const current = await this.stat(key, false);
          if (current?.generation !== String(opts.ifGenerationMatch)) {
            throw new PreconditionFailedError(
              `write ${path}: precondition failed (generation ${current?.generation ?? 'none'}, wanted ${opts.ifGenerationMatch})`,
              { object: path, step: 'put' },
            );
          }
        }
        await rename(tmp, path);
      }
      const info = (await this.stat(key))!;
      opts.onProgress?.(info.size);
      return info;
    } catch (err) {
      await rm(tmp, { force: true });
      throw toStorageError(err, { object: path, step: 'put' });
    } finally {
      forget();
    }
  }

  async getBuffer(key: string, range?: ByteRange, opts: ReadOptions = {}): Promise<Buffer> {
    await this.checkGeneration(key, opts.generation, 'get');
    const chunks: Buffer[] = [];
    for await (const c of await this.getStream(key, range)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  async getStream(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.pathOf(key);
    // Open first so a missing object fails here, not later inside a pipe.
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      throw toStorageError(err, { object: path, step: 'get' });
    }
    return handle.createReadStream({ start: range?.start, end: range?.end, autoClose: true });
  }

  async getFile(key: string, localPath: string, opts: ReadOptions = {}): Promise<void> {
    const source = this.pathOf(key);
    const { tmp, forget } = await this.tempFor(localPath);
    try {
      await this.checkGeneration(key, opts.generation, 'get');
      // A reflink (copy-on-write clone) where the filesystem can, else a plain copy.
      await copyFile(source, tmp, constants.COPYFILE_FICLONE);
      await rename(tmp, localPath);
    } catch (err) {
      await rm(tmp, { force: true });
      throw toStorageError(err, { object: source, step: 'get' });
    } finally {
      forget();
    }
  }

  async copyTo(key: string, to: ObjectStore, opts: CopyOptions = {}): Promise<ObjectInfo> {
    await this.checkGeneration(key, opts.generation, 'copy');
    return to.putFile(opts.toKey ?? key, this.pathOf(key), { ifGenerationMatch: opts.ifGenerationMatch });
  }

  /** A PreconditionFailedError unless the file is at `generation` (when given). */
  private async checkGeneration(key: string, generation: string | undefined, step: string): Promise<void> {
    if (generation === undefined) return;
    const current = await this.stat(key, false);
    if (current?.generation !== generation) {
      throw new PreconditionFailedError(
        `${step} ${this.pathOf(key)}: the file changed (version ${current?.generation ?? 'gone'}, expected ${generation})`,
        { object: this.pathOf(key), step },
      );
    }
  }

  async stat(key: string, withChecksums = true): Promise<ObjectInfo | undefined> {
    const path = this.pathOf(key);
    try {
      const s = await stat(path, { bigint: true });
      if (!s.isFile()) return undefined;
      const info: ObjectInfo = {
        key,
        size: Number(s.size),
        generation: `${s.mtimeNs / 1000n}.${s.size}.${s.ino}`,
        contentType: contentTypeFor(path),
        updated: new Date(Number(s.mtimeMs)).toISOString(),
      };
      if (withChecksums) {
        const sums = await checksumFile(path);
        info.md5Hash = sums.md5Hash;
        info.crc32c = sums.crc32c;
      }
      return info;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR')
        return undefined;
      throw toStorageError(err, { object: path, step: 'stat' });
    }
  }

  async list(prefix = '', opts: ListOptions = {}): Promise<ListResult> {
    const recursive = opts.recursive ?? true;
    // Walk from the deepest folder the prefix names, then filter by the string prefix.
    const folderKey = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const objects: ObjectInfo[] = [];
    const prefixes: string[] = [];
    const walk = async (dirKey: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(this.pathOf(dirKey), { withFileTypes: true });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return;
        throw toStorageError(err, { object: this.pathOf(dirKey), step: 'list' });
      }
      for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (parseTempSibling(e.name)) continue;
        const key = dirKey ? `${dirKey}/${e.name}` : e.name;
        if (e.isDirectory()) {
          const asPrefix = `${key}/`;
          if (!asPrefix.startsWith(prefix) && !prefix.startsWith(asPrefix)) continue;
          if (!recursive && asPrefix.startsWith(prefix)) prefixes.push(asPrefix);
          else await walk(key);
        } else if (e.isFile() && key.startsWith(prefix)) {
          const info = await this.stat(key, false);
          if (info) objects.push(info);
        }
      }
    };
    await walk(folderKey);
    objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { objects, prefixes };
  }

  async delete(key: string, opts: { ifGenerationMatch?: number | string } = {}): Promise<boolean> {
    const path = this.pathOf(key);
    if (opts.ifGenerationMatch !== undefined) {
      const current = await this.stat(key, false);
      if (current && current.generation !== String(opts.ifGenerationMatch)) {
        throw new PreconditionFailedError(`delete ${path}: precondition failed`, { object: path, step: 'delete' });
      }
    }
    try {
      await unlink(path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw toStorageError(err, { object: path, step: 'delete' });
    }
  }

  async ensureBucket(opts: EnsureBucketOptions = {}): Promise<{ created: boolean }> {
    const root = this.pathOf('');
    try {
      const s = await stat(root);
      if (!s.isDirectory()) throw new UsageError(`${root} exists and is not a folder`, { object: root });
      return { created: false };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw toStorageError(err, { object: root, step: 'mkdir' });
    }
    if (opts.create === false)
      throw new NotFoundError('folder does not exist (and creating it was not allowed)', { object: root });
    try {
      await makeDirs(root);
    } catch (err) {
      throw toStorageError(err, { object: root, step: 'mkdir' });
    }
    return { created: true };
  }
}
