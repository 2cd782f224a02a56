/**
 * The object store every command reads and writes through:
 * `openStore('gs://bucket/prefix')` or `openStore('/some/folder')`.
 */
import { GcsStore, type GcsStoreOptions } from './gcs-store.ts';
import { LocalStore } from './local-store.ts';
import { type Location, parseLocation } from './location.ts';
import type { ObjectStore } from './object-store.ts';

export function openStore(location: string | Location, opts: GcsStoreOptions = {}): ObjectStore {
  const loc = typeof location === 'string' ? parseLocation(location) : location;
  return loc.kind === 'gcs' ? new GcsStore(loc, opts) : new LocalStore(loc);
}

export {
  type ObjectChecksums,
  checksumBuffer,
  checksumFile,
  fileChecksum,
  sameContent,
  splitVersionChecksum,
  versionChecksum,
} from './checksum.ts';
export { contentTypeFor } from './content-type.ts';
export { crc32cOf, FastCrc32c, fastCrc32cGenerator } from './crc32c.ts';
export { createStorageClient, DEFAULT_RESUMABLE_THRESHOLD, GcsStore, type GcsStoreOptions } from './gcs-store.ts';
export { LocalStore } from './local-store.ts';
export {
  checkObjectKey,
  formatLocation,
  isGcsUri,
  joinKey,
  type Location,
  localPathOf,
  normalizePrefix,
  parseGcsObjectUri,
  parseLocation,
  validateBucketName,
} from './location.ts';
export type {
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
export {
  httpStatus,
  isNotFound,
  isPreconditionFailed,
  isTransient,
  NotFoundError,
  PermissionError,
  PreconditionFailedError,
  toStorageError,
} from './storage-errors.ts';
