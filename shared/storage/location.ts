/**
 * Where objects live: `gs://bucket/prefix` or a local folder standing in for a
 * bucket. Keys and prefixes are confined here, once for every command: a `.` or
 * `..` segment is refused wherever a key is joined, and a key is mapped to a
 * local file only when it stays inside the folder it is mapped into.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors.ts';

export type Location =
  | { kind: 'gcs'; bucket: string; prefix: string }
  | { kind: 'local'; root: string; prefix: string };

/** GCS bucket naming rules (the dotted-domain form included). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

export function isGcsUri(s: string): boolean {
  return s.startsWith('gs://');
}

/**
 * Parse `gs://bucket/some/prefix` or a filesystem path. The prefix never has
 * leading or trailing slashes; `file://` URLs are accepted as local paths.
 */
export function parseLocation(input: string): Location {
  if (isGcsUri(input)) {
    const rest = input.slice('gs://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    validateBucketName(bucket, input);
    const prefix = slash < 0 ? '' : normalizePrefix(rest.slice(slash + 1), input);
    return { kind: 'gcs', bucket, prefix };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input) && !input.startsWith('file://')) {
    throw new UsageError(`unsupported location ${input}: use gs://bucket/prefix or a local folder`, { object: input });
  }
  const path = input.startsWith('file://') ? new URL(input).pathname : input;
  if (path === '') throw new UsageError('empty location: use gs://bucket/prefix or a local folder');
  return { kind: 'local', root: resolve(path), prefix: '' };
}

/**
 * `gs://bucket/name` → the bucket (a location with no prefix) and the object's
 * name exactly as given; a URI naming no object is a UsageError.
 */
export function parseGcsObjectUri(uri: string): { bucket: Location & { kind: 'gcs' }; key: string } {
  const m = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (m === null) throw new UsageError(`not a gs:// object URI: ${uri}`, { object: uri });
  validateBucketName(m[1], uri);
  return { bucket: { kind: 'gcs', bucket: m[1], prefix: '' }, key: joinKey(m[2]) };
}

/** Throws a UsageError naming the rule a bucket name breaks. */
export function validateBucketName(bucket: string, where = bucket): void {
  const why =
    bucket.length < 3 || bucket.length > 222
      ? 'must be 3-63 characters (222 with dots)'
      : !BUCKET_NAME.test(bucket)
        ? 'may only hold lowercase letters, digits, dashes, underscores and dots, and must start and end with a letter or digit'
        : !bucket.includes('.') && bucket.length > 63
          ? 'must be at most 63 characters'
          : bucket.includes('..')
            ? 'must not contain ".."'
            : bucket.startsWith('goog')
              ? 'must not start with "goog"'
              : /^\d+\.\d+\.\d+\.\d+$/.test(bucket)
                ? 'must not look like an IP address'
                : undefined;
  if (why) throw new UsageError(`invalid bucket name "${bucket}": a bucket name ${why}`, { object: where });
}

/**
 * A prefix as typed (in a gs:// address, --prefix): repeated and outer slashes
 * dropped; `.` and `..` segments refused, so it never names objects outside.
 */
export function normalizePrefix(prefix: string, where = prefix): string {
  const segments = prefix.split('/').filter((s) => s !== '');
  refuseDotSegments(segments, where);
  return segments.join('/');
}

/**
 * Join a prefix and keys with single slashes (outer slashes of each part
 * trimmed). Object names are exact, so inner empty segments stay; `.` and `..`
 * segments are refused.
 */
export function joinKey(...parts: string[]): string {
  const joined = parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p !== '')
    .join('/');
  refuseDotSegments(joined.split('/'), joined);
  return joined;
}

/** Refuse an object key (e.g. one a bucket listed) with a `.` or `..` segment: no reader may follow it out of its prefix. */
export function checkObjectKey(key: string, where = key): void {
  refuseDotSegments(key.split('/'), where);
}

function refuseDotSegments(segments: readonly string[], where: string): void {
  const bad = segments.find((s) => s === '..' || s === '.');
  if (bad !== undefined) {
    throw new UsageError(
      `${where}: "${bad}" path segments are not allowed in object paths (they would name objects outside the prefix)`,
    );
  }
}

/**
 * The local file for object `key` under `root` (a cache mirror, a bucket
 * folder): only plain relative keys — no leading `/`, no empty, `.` or `..`
 * segment, no NUL — and the result is checked to be inside `root`.
 */
export function localPathOf(root: string, key: string): string {
  const segments = key.split('/');
  const plain = key !== '' && !key.includes('\0') && segments.every((s) => s !== '' && s !== '.' && s !== '..');
  const path = plain ? join(root, ...segments) : '';
  const rel = plain ? relative(resolve(root), resolve(path)) : '';
  if (!plain || rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
    throw new UsageError(
      `object key "${key}" is not a plain relative path (no leading "/", no empty, "." or ".." segments): refusing to map it into ${root}`,
    );
  }
  return path;
}

export function formatLocation(loc: Location): string {
  if (loc.kind === 'gcs') return `gs://${loc.bucket}${loc.prefix ? `/${loc.prefix}` : ''}`;
  return loc.prefix ? `${loc.root}/${loc.prefix}` : loc.root;
}
