/**
 * `gs://bucket/prefix` through @google-cloud/storage. Honours
 * STORAGE_EMULATOR_HOST (the client reads it) and an explicit apiEndpoint; with
 * either, no credentials are needed (the test server and emulators take none).
 */
import { createWriteStream } from 'node:fs';
import { rename, rm, stat as fsStat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Bucket, type File, type FileMetadata, Storage, type StorageOptions } from '@google-cloud/storage';
import { removeOnInterrupt } from '../cleanup.ts';
import { makeDirs } from '../make-dirs.ts';
import { tempSiblingPath } from '../temp-name.ts';
import { contentTypeFor } from './content-type.ts';
import { FastCrc32c, fastCrc32cGenerator } from './crc32c.ts';
import { type Location, formatLocation, joinKey } from './location.ts';
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
import { ReadRetries, type ReadRetryPolicy, readRetryPolicy } from './read-retry.ts';
import {
  NotFoundError,
  PreconditionFailedError,
  isNotFound,
  isPreconditionFailed,
  toStorageError,
} from './storage-errors.ts';
import { TransientError } from '../errors.ts';

/** The client's retry knobs; its RetryOptions type is not re-exported from the package root. */
type RetryOptions = NonNullable<StorageOptions['retryOptions']>;

export interface GcsStoreOptions {
  /** e.g. `http://127.0.0.1:4443` for the test server; default: STORAGE_EMULATOR_HOST or Google. */
  apiEndpoint?: string;
  projectId?: string;
  /** The client's retry knobs (maxRetries, totalTimeout, …); default: the client's own strategy. */
  retryOptions?: RetryOptions;
  /** Reuse a configured client. */
  storage?: Storage;
  /** Files at least this big go up as resumable sessions; smaller ones in one multipart request. */
  resumableThreshold?: number;
}

/** Below this, one multipart request beats a resumable session's two round trips. */
export const DEFAULT_RESUMABLE_THRESHOLD = 8 * 1024 * 1024;

/**
 * Resumable uploads go in chunks of this size (a multiple of 256 KiB). The client
 * keeps the chunk in flight in memory, so after a dropped connection it resends
 * exactly what the server lacks; in one-request mode it can only give up
 * ("offset is lower than the number of bytes written").
 */
export const RESUMABLE_CHUNK_SIZE = 8 * 1024 * 1024;

/** A Storage client configured the project's way (fast CRC32C, endpoint/env, project id). */
export function createStorageClient(
  opts: { apiEndpoint?: string; projectId?: string; retryOptions?: RetryOptions } = {},
): Storage {
  const emulated = Boolean(opts.apiEndpoint || process.env.STORAGE_EMULATOR_HOST);
  const options: StorageOptions = {
    crc32cGenerator: fastCrc32cGenerator,
    ...(opts.apiEndpoint ? { apiEndpoint: opts.apiEndpoint } : {}),
    ...(opts.retryOptions ? { retryOptions: opts.retryOptions } : {}),
  };
  const projectId =
    opts.projectId ??
    process.env.GOOGLE_CLOUD_PROJECT ??
    process.env.GCLOUD_PROJECT ??
    (emulated ? 'salesflow-local' : undefined);
  if (projectId) options.projectId = projectId;
  return new Storage(options);
}

export class GcsStore implements ObjectStore {
  readonly location: Location & { kind: 'gcs' };
  readonly url: string;
  readonly storage: Storage;
  readonly bucket: Bucket;
  readonly pinsGenerations = true;
  private readonly resumableThreshold: number;
  private readonly readPolicy: ReadRetryPolicy;

  constructor(location: Location & { kind: 'gcs' }, opts: GcsStoreOptions = {}) {
    this.location = location;
    this.url = formatLocation(location);
    this.storage = opts.storage ?? createStorageClient(opts);
    this.bucket = this.storage.bucket(location.bucket);
    this.resumableThreshold = opts.resumableThreshold ?? DEFAULT_RESUMABLE_THRESHOLD;
    // Downloads are retried here, with the client's retry settings (read-retry.ts says why).
    this.readPolicy = readRetryPolicy(this.storage.retryOptions as GcsStoreOptions['retryOptions']);
  }

  /** Full object name in the bucket. */
  objectName(key: string): string {
    return joinKey(this.location.prefix, key);
  }

  uri(key: string): string {
    return `gs://${this.location.bucket}/${this.objectName(key)}`;
  }

  /** The object, or with `generation` that version of it (reads and copies then get exactly those bytes). */
  file(key: string, generation?: string): File {
    return this.bucket.file(this.objectName(key), generation === undefined ? {} : { generation: Number(generation) });
  }

  /** Resumable (in chunks) from the threshold up, a single request below it. */
  private uploadMode(size: number): { resumable: boolean; chunkSize?: number } {
    return size >= this.resumableThreshold
      ? { resumable: true, chunkSize: RESUMABLE_CHUNK_SIZE }
      : { resumable: false };
  }

  async putFile(key: string, localPath: string, opts: PutOptions = {}): Promise<ObjectInfo> {
    const name = this.objectName(key);
    try {
      const { size } = await fsStat(localPath);
      const [file] = await this.bucket.upload(localPath, {
        destination: name,
        ...this.uploadMode(size),
        validation: 'crc32c',
        ...this.writeOptions(name, opts),
        ...(opts.onProgress
          ? { onUploadProgress: (p: { bytesWritten: number }) => opts.onProgress!(p.bytesWritten) }
          : {}),
      });
      return this.infoFrom(key, file.metadata);
    } catch (err) {
      throw toStorageError(err, { object: this.uri(key), file: localPath, step: 'upload' });
    }
  }

  async putBuffer(key: string, data: Uint8Array | string, opts: PutOptions = {}): Promise<ObjectInfo> {
    const name = this.objectName(key);
    const file = this.bucket.file(name);
    try {
      const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      await file.save(Buffer.from(data as Uint8Array), {
        ...this.uploadMode(size),
        validation: 'crc32c',
        ...this.writeOptions(name, opts),
      });
      return this.infoFrom(key, file.metadata);
    } catch (err) {
      throw toStorageError(err, { object: this.uri(key), step: 'upload' });
    }
  }

  async putStream(key: string, stream: Readable, opts: PutOptions = {}): Promise<ObjectInfo> {
    const name = this.objectName(key);
    const file = this.bucket.file(name);
    try {
      // Unknown length: a resumable session, so a dropped connection resumes instead of restarting.
      const writable = file.createWriteStream({
        resumable: true,
        chunkSize: RESUMABLE_CHUNK_SIZE,
        validation: 'crc32c',
        ...this.writeOptions(name, opts),
      });
      if (opts.onProgress) writable.on('progress', (p: { bytesWritten: number }) => opts.onProgress!(p.bytesWritten));
      await pipeline(stream, writable);
      return this.infoFrom(key, file.metadata);
    } catch (err) {
      throw toStorageError(err, { object: this.uri(key), step: 'upload' });
    }
  }

  private writeOptions(name: string, opts: PutOptions) {
    return {
      metadata: {
        contentType: opts.contentType ?? contentTypeFor(name),
        ...(opts.metadata ? { metadata: opts.metadata } : {}),
        ...(opts.storageClass ? { storageClass: opts.storageClass } : {}),
      },
      ...(opts.ifGenerationMatch !== undefined
        ? { preconditionOpts: { ifGenerationMatch: Number(opts.ifGenerationMatch) } }
        : {}),
    };
  }

  async getBuffer(key: string, range?: ByteRange, opts: ReadOptions = {}): Promise<Buffer> {
    const parts: Buffer[] = [];
    const info = await this.statForRead(key, opts.generation);
    for await (const chunk of this.resumingRead(key, info, range)) parts.push(chunk);
    return Buffer.concat(parts);
  }

  async getStream(key: string, range?: ByteRange): Promise<Readable> {
    // Stat first: a missing object fails here (typed), not mid-pipe, and the version read is pinned.
    return Readable.from(this.resumingRead(key, await this.statForRead(key), range));
  }

  async getFile(key: string, localPath: string, opts: ReadOptions = {}): Promise<void> {
    const tmp = tempSiblingPath(localPath);
    const forget = removeOnInterrupt(tmp);
    try {
      const info = await this.statForRead(key, opts.generation);
      await makeDirs(dirname(localPath));
      await pipeline(Readable.from(this.resumingRead(key, info)), createWriteStream(tmp));
      await rename(tmp, localPath);
    } catch (err) {
      await rm(tmp, { force: true });
      throw (
        this.gone(err, key, opts.generation) ??
        toStorageError(err, { object: this.uri(key), file: localPath, step: 'download' })
      );
    } finally {
      forget();
    }
  }

  /**
   * The object's metadata before a read (its size, CRC32C and generation pin the
   * bytes read); with `generation`, that version or a PreconditionFailedError
   * (the object changed).
   */
  private async statForRead(key: string, generation?: string): Promise<ObjectInfo> {
    const info = await this.stat(key);
    if (generation !== undefined && info?.generation !== generation) throw this.goneError(key, generation);
    if (!info) {
      throw new NotFoundError(`download ${this.uri(key)}: not found`, { object: this.uri(key), step: 'download' });
    }
    return info;
  }

  /**
   * The object's bytes (one generation: two versions never mix), resumed after a
   * transient failure from the last byte delivered by a ranged request. Ranged
   * requests carry no checksum, so a whole-object read is checked against the
   * object's CRC32C here, over everything delivered. A gzip-encoded object is
   * served decompressed, where byte ranges mean nothing: it is retried only until
   * its first byte arrives.
   */
  private async *resumingRead(key: string, info: ObjectInfo, range?: ByteRange): AsyncGenerator<Buffer> {
    const resumable = !info.compressed;
    const end = Math.min(range?.end ?? info.size - 1, info.size - 1);
    let offset = range?.start ?? 0;
    const crc = range === undefined && info.crc32c && resumable ? new FastCrc32c() : undefined;
    const retries = new ReadRetries(this.readPolicy);
    let delivered = false;
    for (;;) {
      if (resumable && offset > end) break; // everything delivered (or an empty object)
      try {
        const res = await this.fetchMedia(key, info, resumable ? { start: offset, end } : range);
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          offset += buf.length;
          delivered = true;
          crc?.update(buf);
          yield buf;
        }
        if (!resumable) break;
        if (offset <= end) throw new TransientError(`download ${this.uri(key)}: the response ended early`);
      } catch (err) {
        // The version being read is gone: the object was replaced meanwhile.
        if (info.generation !== undefined && isNotFound(err)) throw this.goneError(key, info.generation);
        if (!resumable && delivered) throw toStorageError(err, { object: this.uri(key), step: 'download' });
        try {
          await retries.next(err);
        } catch {
          throw toStorageError(err, { object: this.uri(key), step: 'download' });
        }
      }
    }
    if (crc && !crc.validate(info.crc32c!)) {
      throw new TransientError(`download ${this.uri(key)}: CRC32C mismatch (the bytes were damaged in transit)`, {
        object: this.uri(key),
        step: 'download',
      });
    }
  }

  /**
   * One media GET (JSON API `alt=media`), authorised as the client authorises its
   * own requests (none against a custom endpoint such as the emulator or the test
   * server, unless the client was told to). Not the client's createReadStream:
   * its stream retries throw ERR_STREAM_UNABLE_TO_PIPE where nobody can catch it
   * (read-retry.ts), and its layered streams trip MaxListenersExceededWarning on
   * every download.
   */
  private async fetchMedia(key: string, info: ObjectInfo, range?: ByteRange): Promise<Response> {
    const base = this.storage.apiEndpoint.replace(/\/+$/, '');
    const name = encodeURIComponent(this.objectName(key));
    const generation = info.generation ? `&generation=${encodeURIComponent(info.generation)}` : '';
    const url = `${base}/storage/v1/b/${encodeURIComponent(this.location.bucket)}/o/${name}?alt=media${generation}`;
    const headers = new Headers({ 'user-agent': 'salesflow' });
    const storage = this.storage as Storage & { customEndpoint?: boolean; useAuthWithCustomEndpoint?: boolean };
    if (!storage.customEndpoint || storage.useAuthWithCustomEndpoint) {
      (await storage.authClient.getRequestHeaders(url)).forEach((v, k) => {
        headers.set(k, v);
      });
    }
    if (range) headers.set('range', `bytes=${range.start ?? 0}-${range.end ?? ''}`);
    const res = await fetch(url, { headers });
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
    } catch {}
    throw Object.assign(new Error(`HTTP ${res.status}: ${message || res.statusText}`), { code: res.status });
  }

  async copyTo(key: string, to: ObjectStore, opts: CopyOptions = {}): Promise<ObjectInfo> {
    const toKey = opts.toKey ?? key;
    if (!(to instanceof GcsStore)) {
      const read = Readable.from(this.resumingRead(key, await this.statForRead(key, opts.generation)));
      return to.putStream(toKey, read, { ifGenerationMatch: opts.ifGenerationMatch }).catch((err) => {
        throw this.gone(err, key, opts.generation) ?? err;
      });
    }
    try {
      // Server-side, always with a precondition on the destination (what makes it safe to retry):
      // the one asked for, else its current generation (0: none yet).
      const ifGenerationMatch = opts.ifGenerationMatch ?? (await to.stat(toKey))?.generation ?? 0;
      const [, response] = await this.file(key, opts.generation).copy(to.file(toKey), {
        preconditionOpts: { ifGenerationMatch: Number(ifGenerationMatch) },
      });
      return to.infoFrom(toKey, (response as { resource: FileMetadata }).resource);
    } catch (err) {
      // A 412 is the destination's precondition (a source generation that is gone is a 404).
      const object = isPreconditionFailed(err) ? to.uri(toKey) : this.uri(key);
      throw this.gone(err, key, opts.generation) ?? toStorageError(err, { object, step: 'copy' });
    }
  }

  /** A pinned version that no longer exists: the object changed (a PreconditionFailedError, like a local file). */
  private gone(err: unknown, key: string, generation: string | undefined): PreconditionFailedError | undefined {
    if (generation === undefined || !isNotFound(err)) return undefined;
    return this.goneError(key, generation);
  }

  private goneError(key: string, generation: string): PreconditionFailedError {
    return new PreconditionFailedError(`${this.uri(key)}: generation ${generation} is gone (the object changed)`, {
      object: this.uri(key),
      step: 'copy',
    });
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const [metadata] = await this.file(key).getMetadata();
      return this.infoFrom(key, metadata);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw toStorageError(err, { object: this.uri(key), step: 'stat' });
    }
  }

  async list(prefix = '', opts: ListOptions = {}): Promise<ListResult> {
    const recursive = opts.recursive ?? true;
    const base = this.location.prefix ? `${this.location.prefix}/` : '';
    const objects: ObjectInfo[] = [];
    const prefixes: string[] = [];
    let pageToken: string | undefined;
    try {
      do {
        const [files, next, raw] = await this.bucket.getFiles({
          prefix: base + prefix,
          autoPaginate: false,
          maxResults: 1000,
          ...(recursive ? {} : { delimiter: '/' }),
          ...(pageToken ? { pageToken } : {}),
        });
        for (const f of files) objects.push(this.infoFrom(f.name.slice(base.length), f.metadata));
        const rawPrefixes = (raw as { prefixes?: string[] } | undefined)?.prefixes ?? [];
        for (const p of rawPrefixes) prefixes.push(p.slice(base.length));
        pageToken = (next as { pageToken?: string } | null)?.pageToken;
      } while (pageToken);
    } catch (err) {
      throw toStorageError(err, { object: `gs://${this.location.bucket}/${base}${prefix}`, step: 'list' });
    }
    return { objects, prefixes };
  }

  async delete(key: string, opts: { ifGenerationMatch?: number | string } = {}): Promise<boolean> {
    try {
      await this.file(key).delete(
        opts.ifGenerationMatch !== undefined ? { ifGenerationMatch: Number(opts.ifGenerationMatch) } : {},
      );
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw toStorageError(err, { object: this.uri(key), step: 'delete' });
    }
  }

  async ensureBucket(opts: EnsureBucketOptions = {}): Promise<{ created: boolean }> {
    const where = { object: `gs://${this.location.bucket}`, step: 'create bucket' };
    try {
      const [exists] = await this.bucket.exists();
      if (exists) return { created: false };
    } catch (err) {
      throw toStorageError(err, where);
    }
    if (opts.create === false) {
      throw new NotFoundError('bucket does not exist (and creating it was not allowed: --no-create-bucket)', where);
    }
    try {
      await this.storage.createBucket(this.location.bucket, {
        location: opts.location ?? 'US',
        ...(opts.storageClass ? { storageClass: opts.storageClass } : {}),
        iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
      });
      return { created: true };
    } catch (err) {
      // Another process (or a retried request) created it first: fine.
      if ((err as { code?: unknown }).code === 409) return { created: false };
      throw toStorageError(err, where);
    }
  }

  private infoFrom(key: string, m: FileMetadata): ObjectInfo {
    return {
      key,
      size: Number(m.size ?? 0),
      md5Hash: m.md5Hash,
      crc32c: m.crc32c,
      generation: m.generation === undefined ? undefined : String(m.generation),
      contentType: m.contentType,
      updated: m.updated,
      ...(m.contentEncoding === 'gzip' ? { compressed: true } : {}),
    };
  }
}
