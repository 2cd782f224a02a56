/** Where objects live: `gs://bucket/prefix` or a local folder standing in for a bucket. */
import { resolve } from 'node:path';
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
    const prefix = slash < 0 ? '' : normalizePrefix(rest.slice(slash + 1));
    validateBucketName(bucket, input);
    return { kind: 'gcs', bucket, prefix };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input) && !input.startsWith('file://')) {
    throw new UsageError(`unsupported location ${input}: use gs://bucket/prefix or a local folder`, { object: input });
  }
  const path = input.startsWith('file://') ? new URL(input).pathname : input;
  if (path === '') throw new UsageError('empty location: use gs://bucket/prefix or a local folder');
  return { kind: 'local', root: resolve(path), prefix: '' };
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

export function normalizePrefix(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}

/** Join path parts with single slashes, skipping empty ones. */
export function joinKey(...parts: string[]): string {
  return parts
    .map(normalizePrefix)
    .filter((p) => p !== '')
    .join('/');
}

export function formatLocation(loc: Location): string {
  if (loc.kind === 'gcs') return `gs://${loc.bucket}${loc.prefix ? `/${loc.prefix}` : ''}`;
  return loc.prefix ? `${loc.root}/${loc.prefix}` : loc.root;
}
