/**
 * One small interface over `gs://` buckets and local folders. Keys are relative
 * to the store's root (bucket + prefix, or folder) and always use `/`.
 */
import type { Readable } from 'node:stream';
import type { Location } from './location.ts';

export interface ObjectInfo {
  /** Key relative to the store root. */
  key: string;
  size: number;
  /** Base64 MD5 (absent for composite GCS objects; computed on demand for local stat). */
  md5Hash?: string;
  /** Base64 big-endian CRC32C. */
  crc32c?: string;
  /**
   * Identifies this version of the object: the GCS generation; for a local
   * file, `mtime-µs.size.inode` (changes when it is written, appended to or replaced).
   */
  generation?: string;
  contentType?: string;
  updated?: string;
  /** Stored with `Content-Encoding: gzip` (served decompressed unless asked otherwise). */
  compressed?: boolean;
}

export interface PutOptions {
  contentType?: string;
  /**
   * Only write if the object's current generation is this one; `0` = only if
   * it does not exist. Also what makes GCS uploads safe to retry (the client
   * only retries uploads that carry it).
   */
  ifGenerationMatch?: number | string;
  /** Custom metadata stored with the object. */
  metadata?: Record<string, string>;
  storageClass?: string;
  /** Called with bytes sent so far (GCS) or written (local). */
  onProgress?: (bytes: number) => void;
}

/** Inclusive byte range, like HTTP and the GCS client: `{ start: 0, end: 99 }` is 100 bytes. */
export interface ByteRange {
  start?: number;
  end?: number;
}

export interface ReadOptions {
  /**
   * Read this version of the object, or fail with a PreconditionFailedError
   * (or NotFoundError) when it is gone. On GCS the generation pins the bytes
   * read; a local file is only checked before it is read (see `pinsGenerations`).
   */
  generation?: string;
}

export interface CopyOptions extends ReadOptions {
  /** The key to copy to (default: the same key). */
  toKey?: string;
  /**
   * Only write if the destination's current generation is this one; `0` =
   * create-only, never replacing what is there (a PreconditionFailedError
   * instead). Without it the copy replaces the destination.
   */
  ifGenerationMatch?: number | string;
}

export interface ListOptions {
  /** true (default): every object under the prefix; false: one level, folders as `prefixes`. */
  recursive?: boolean;
}

export interface ListResult {
  objects: ObjectInfo[];
  /** With `recursive: false`: the "folders" directly under the prefix, ending in `/`. */
  prefixes: string[];
}

export interface EnsureBucketOptions {
  /** Create it when missing (default true); false makes a missing bucket an error. */
  create?: boolean;
  location?: string;
  storageClass?: string;
}

export interface ObjectStore {
  readonly location: Location;
  /** `gs://bucket/prefix` or the folder path. */
  readonly url: string;
  /**
   * Whether reads and copies with a `generation` get exactly that version's
   * bytes (GCS: versions are immutable). A local file can change while it is
   * read: whoever needs exact bytes copies it, then checks size and checksum.
   */
  readonly pinsGenerations: boolean;
  /** Full address of one key (`gs://b/p/key` or `/dir/key`) for messages and other tools. */
  uri(key: string): string;

  putFile(key: string, localPath: string, opts?: PutOptions): Promise<ObjectInfo>;
  putBuffer(key: string, data: Uint8Array | string, opts?: PutOptions): Promise<ObjectInfo>;
  putStream(key: string, stream: Readable, opts?: PutOptions): Promise<ObjectInfo>;

  /** With `generation`: that version's bytes, or a PreconditionFailedError when the object changed. */
  getBuffer(key: string, range?: ByteRange, opts?: ReadOptions): Promise<Buffer>;
  getStream(key: string, range?: ByteRange): Promise<Readable>;
  /** Download to a local file atomically (temp sibling + rename). */
  getFile(key: string, localPath: string, opts?: ReadOptions): Promise<void>;
  /**
   * Copy the object to the same key in `to` (or `toKey`; server-side between GCS
   * buckets), replacing what is there unless `ifGenerationMatch` says otherwise;
   * with `generation`, that version or nothing.
   */
  copyTo(key: string, to: ObjectStore, opts?: CopyOptions): Promise<ObjectInfo>;

  /** Metadata with checksums, or undefined when the object does not exist. */
  stat(key: string): Promise<ObjectInfo | undefined>;
  /** Objects under a key prefix (string prefix, like GCS: `a/b` matches `a/bc`). */
  list(prefix?: string, opts?: ListOptions): Promise<ListResult>;
  /** true if something was deleted. */
  delete(key: string, opts?: { ifGenerationMatch?: number | string }): Promise<boolean>;

  /** Make sure the bucket (or folder) exists; `created` says whether this call made it. */
  ensureBucket(opts?: EnsureBucketOptions): Promise<{ created: boolean }>;
}
