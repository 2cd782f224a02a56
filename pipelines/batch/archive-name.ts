/**
 * The name a file is archived (or moved to the rejected area) under when its
 * own name there already holds other bytes — an earlier file of the same name:
 * `sales.<tag>.csv`, the tag taken from the file's checksum (the first 16 hex
 * digits of its MD5; its CRC32C for objects without one), so the same bytes
 * always get the same name and a re-run finds them there. The extension stays
 * last so tools still recognise the file.
 */
import { splitVersionChecksum } from '../../shared/storage/index.ts';

const EXTENSION_RE = /\.(csv|ndjson|jsonl|parquet)(\.gz)?$/i;

/** A short tag for the version a load-log checksum (`md5:…`, `crc32c:…`, `size:…`) names. */
function versionTag(checksum: string): string {
  const { kind, value } = splitVersionChecksum(checksum);
  if (kind === 'md5') return Buffer.from(value, 'base64').toString('hex').slice(0, 16);
  if (kind === 'crc32c') return `crc${Buffer.from(value, 'base64').toString('hex')}`;
  return `size${value}`;
}

/** `dir/sales.csv.gz` → `dir/sales.<tag>.csv.gz`. */
export function versionedKey(key: string, checksum: string): string {
  const slash = key.lastIndexOf('/') + 1;
  const base = key.slice(slash);
  const ext = EXTENSION_RE.exec(base)?.[0] ?? (base.lastIndexOf('.') > 0 ? base.slice(base.lastIndexOf('.')) : '');
  return `${key.slice(0, slash)}${base.slice(0, base.length - ext.length)}.${versionTag(checksum)}${ext}`;
}
