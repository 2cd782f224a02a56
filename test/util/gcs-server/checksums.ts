/** GCS-style object checksums: base64 of the big-endian CRC32C and of the MD5 digest. */
import { createHash } from 'node:crypto';
import { crc32cOf } from '../../../shared/storage/crc32c.ts';

export interface Checksums {
  md5Hash: string;
  crc32c: string;
}

export function checksumsOf(data: Buffer): Checksums {
  return { md5Hash: createHash('md5').update(data).digest('base64'), crc32c: crc32cOf(data) };
}

/** Parse an `X-Goog-Hash: crc32c=…,md5=…` header into its parts. */
export function parseGoogHash(header: string | string[] | undefined): Partial<Checksums> {
  const out: Partial<Checksums> = {};
  const values = Array.isArray(header) ? header : header ? [header] : [];
  for (const value of values) {
    for (const part of value.split(',')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const key = part.slice(0, eq).trim().toLowerCase();
      const val = part.slice(eq + 1).trim();
      if (key === 'crc32c') out.crc32c = val;
      if (key === 'md5') out.md5Hash = val;
    }
  }
  return out;
}
