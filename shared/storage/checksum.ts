/** MD5 + CRC32C of local bytes in one pass, in GCS's base64 encoding. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { crc32cBase64, crc32cOf, crc32cUpdate } from './crc32c.ts';
import type { ObjectInfo } from './object-store.ts';

export interface ObjectChecksums {
  size: number;
  md5Hash: string;
  crc32c: string;
}

export function checksumBuffer(data: Uint8Array): ObjectChecksums {
  return {
    size: data.length,
    md5Hash: createHash('md5').update(data).digest('base64'),
    crc32c: crc32cOf(data),
  };
}

export async function checksumFile(path: string): Promise<ObjectChecksums> {
  const md5 = createHash('md5');
  let crc = 0;
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    md5.update(chunk);
    crc = crc32cUpdate(crc, chunk);
    size += chunk.length;
  }
  return { size, md5Hash: md5.digest('base64'), crc32c: crc32cBase64(crc) };
}

/**
 * Same bytes? Sizes must match and so must every checksum both sides have
 * (composite GCS objects carry no MD5, only CRC32C). Undefined = cannot tell.
 */
export function sameContent(
  a: { size: number; md5Hash?: string; crc32c?: string },
  b: { size: number; md5Hash?: string; crc32c?: string },
): boolean | undefined {
  if (a.size !== b.size) return false;
  let compared = false;
  if (a.md5Hash && b.md5Hash) {
    if (a.md5Hash !== b.md5Hash) return false;
    compared = true;
  }
  if (a.crc32c && b.crc32c) {
    if (a.crc32c !== b.crc32c) return false;
    compared = true;
  }
  return compared ? true : undefined;
}

/** One checksum of a local file (as GCS encodes it) and its size: for checking a copy against a listing. */
export async function fileChecksum(path: string, kind: 'md5' | 'crc32c'): Promise<{ size: number; value: string }> {
  const md5 = kind === 'md5' ? createHash('md5') : undefined;
  let crc = 0;
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (md5) md5.update(chunk);
    else crc = crc32cUpdate(crc, chunk);
    size += chunk.length;
  }
  return { size, value: md5 ? md5.digest('base64') : crc32cBase64(crc) };
}

/** What identifies this version of an object (in the load log): its MD5, else CRC32C, else size. */
export function versionChecksum(info: ObjectInfo): string {
  return info.md5Hash ? `md5:${info.md5Hash}` : info.crc32c ? `crc32c:${info.crc32c}` : `size:${info.size}`;
}

/** A versionChecksum taken apart: `md5:…` → { kind: 'md5', value: '…' }. */
export function splitVersionChecksum(checksum: string): { kind: 'md5' | 'crc32c' | 'size'; value: string } {
  const colon = checksum.indexOf(':');
  return { kind: checksum.slice(0, colon) as 'md5' | 'crc32c' | 'size', value: checksum.slice(colon + 1) };
}
