/**
 * One suite, two stores: every behaviour is checked on a local folder and on
 * gs:// through the real @google-cloud/storage client against our GCS server.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, TransientError } from '../../../shared/errors.ts';
import {
  checksumBuffer,
  crc32cOf,
  type ObjectStore,
  openStore,
  parseLocation,
  PreconditionFailedError,
} from '../../../shared/storage/index.ts';
import { type GcsServer, startGcsServer } from '../../util/gcs-server/index.ts';
import { useTempDir } from '../../util/tmp.ts';

const tmp = useTempDir('salesflow-store-');
let server: GcsServer;

beforeAll(async () => {
  server = await startGcsServer();
});
afterAll(async () => {
  await server.stop();
});

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('base64');

const kinds: [string, () => Promise<ObjectStore>][] = [
  ['local folder', async () => openStore(join(tmp(), `bucket-${Math.random().toString(36).slice(2)}`, 'pre'))],
  [
    'gs:// via the test server',
    async () => {
      const store = openStore(`gs://store-${Math.random().toString(36).slice(2, 10)}/pre`, { apiEndpoint: server.url });
      await store.ensureBucket({ location: 'EU' });
      return store;
    },
  ],
];

describe.each(kinds)('object store on a %s', (_name, make) => {
  let store: ObjectStore;
  beforeAll(async () => {
    store = await make();
    await store.ensureBucket();
  });

  it('puts buffers, files and streams and reads them back with GCS checksums', async () => {
    const data = Buffer.from('transaction_id,customer_id\nT1,1\n');
    const a = await store.putBuffer('a/one.csv', data);
    expect(a.size).toBe(data.length);
    const src = join(tmp(), 'src.bin');
    const bytes = Buffer.alloc(300_000).map((_, i) => (i * 7) % 251);
    await writeFile(src, bytes);
    await store.putFile('a/b/two.bin', src);
    await store.putStream('c.parquet', Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]));

    expect(await store.getBuffer('a/one.csv')).toEqual(data);
    expect((await store.getBuffer('c.parquet')).equals(bytes)).toBe(true);
    const stat = await store.stat('a/b/two.bin');
    expect(stat).toMatchObject({ key: 'a/b/two.bin', size: 300_000, md5Hash: md5(bytes), crc32c: crc32cOf(bytes) });
    expect(stat?.generation).toMatch(/^\d+(\.\d+)*$/);
    expect((await store.stat('a/one.csv'))?.contentType).toBe('text/csv');
    expect(await store.stat('missing')).toBeUndefined();
  });

  it('reads byte ranges (inclusive end) and whole files atomically', async () => {
    const bytes = Buffer.from('0123456789abcdef');
    await store.putBuffer('range.txt', bytes);
    expect((await store.getBuffer('range.txt', { start: 3, end: 6 })).toString()).toBe('3456');
    expect((await store.getBuffer('range.txt', { start: 10 })).toString()).toBe('abcdef');
    const chunks: Buffer[] = [];
    for await (const c of await store.getStream('range.txt', { start: 0, end: 1 })) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('01');
    const dest = join(tmp(), 'out', 'range.txt');
    await store.getFile('range.txt', dest);
    expect(await readFile(dest)).toEqual(bytes);
  });

  it('lists recursively and one level at a time, relative to the prefix', async () => {
    for (const k of ['l/x=1/p0', 'l/x=1/p1', 'l/x=2/p0', 'l/top', 'lz']) await store.putBuffer(k, k);
    const all = await store.list('l/');
    expect(all.objects.map((o) => o.key)).toEqual(['l/top', 'l/x=1/p0', 'l/x=1/p1', 'l/x=2/p0']);
    expect(all.objects.every((o) => o.size > 0)).toBe(true);
    const level = await store.list('l/', { recursive: false });
    expect(level.objects.map((o) => o.key)).toEqual(['l/top']);
    expect(level.prefixes).toEqual(['l/x=1/', 'l/x=2/']);
    // String prefix, like GCS: "l" also matches "lz".
    expect((await store.list('l')).objects.map((o) => o.key)).toContain('lz');
  });

  it('honours ifGenerationMatch: 0 creates only, a stale generation is refused', async () => {
    const first = await store.putBuffer('pre/cond', 'v1', { ifGenerationMatch: 0 });
    await expect(store.putBuffer('pre/cond', 'v2', { ifGenerationMatch: 0 })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await expect(store.putBuffer('pre/cond', 'v2', { ifGenerationMatch: '1' })).rejects.toBeInstanceOf(ConflictError);
    await store.putBuffer('pre/cond', 'v3', { ifGenerationMatch: first.generation });
    expect((await store.getBuffer('pre/cond')).toString()).toBe('v3');
  });

  it('reads and copies a given generation, or refuses once the object changed', async () => {
    const v1 = await store.putBuffer('gen/a.csv', 'v1 bytes\n');
    const v2 = await store.putBuffer('gen/a.csv', 'v2 bytes, longer\n');
    expect(v2.generation).not.toBe(v1.generation);
    const dest = join(tmp(), `gen-${store.pinsGenerations}`, 'a.csv');
    await expect(store.getFile('gen/a.csv', dest, { generation: v1.generation })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await store.getFile('gen/a.csv', dest, { generation: v2.generation });
    expect((await readFile(dest)).toString()).toBe('v2 bytes, longer\n');
    for (const other of [openStore(join(tmp(), `copy-${Math.random()}`)), store.pinsGenerations ? store : undefined]) {
      if (!other) continue;
      const target = other === store ? openStore(`${store.url}-copy`, { apiEndpoint: server.url }) : other;
      await target.ensureBucket();
      await expect(store.copyTo('gen/a.csv', target, { generation: v1.generation })).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      const copied = await store.copyTo('gen/a.csv', target, { generation: v2.generation });
      expect(copied.size).toBe(v2.size);
      expect((await target.getBuffer('gen/a.csv')).toString()).toBe('v2 bytes, longer\n');
      // Copying again replaces the copy (an archive written by a crashed earlier attempt).
      await store.copyTo('gen/a.csv', target);
    }
    // Deleting only the version that was read.
    await expect(store.delete('gen/a.csv', { ifGenerationMatch: v1.generation })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect(await store.delete('gen/a.csv', { ifGenerationMatch: v2.generation })).toBe(true);
  });

  it('copies create-only (ifGenerationMatch: 0) to another key, never replacing what is there', async () => {
    await store.putBuffer('once/a.csv', 'first\n');
    const local = openStore(join(tmp(), `once-${Math.random()}`));
    const gcs = openStore(`${store.url}-once`, { apiEndpoint: server.url });
    for (const target of [local, gcs]) {
      await target.ensureBucket();
      await store.copyTo('once/a.csv', target, { ifGenerationMatch: 0 });
      await store.putBuffer('once/a.csv', 'second, other bytes\n');
      await expect(store.copyTo('once/a.csv', target, { ifGenerationMatch: 0 })).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      expect((await target.getBuffer('once/a.csv')).toString()).toBe('first\n');
      await store.copyTo('once/a.csv', target, { ifGenerationMatch: 0, toKey: 'once/a.v2.csv' });
      expect((await target.getBuffer('once/a.v2.csv')).toString()).toBe('second, other bytes\n');
      await store.putBuffer('once/a.csv', 'first\n');
    }
  });

  it('deletes, and reports whether something was there', async () => {
    await store.putBuffer('gone', 'x');
    expect(await store.delete('gone')).toBe(true);
    expect(await store.delete('gone')).toBe(false);
    expect(await store.stat('gone')).toBeUndefined();
    await expect(store.getBuffer('gone')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('locations', () => {
  it('parses gs:// URIs and folders', () => {
    expect(parseLocation('gs://my-bucket/a/b/')).toEqual({ kind: 'gcs', bucket: 'my-bucket', prefix: 'a/b' });
    expect(parseLocation('gs://my-bucket')).toEqual({ kind: 'gcs', bucket: 'my-bucket', prefix: '' });
    expect(parseLocation('/tmp/x')).toMatchObject({ kind: 'local', root: '/tmp/x' });
  });

  it('rejects bad bucket names and unknown schemes with a reason', () => {
    expect(() => parseLocation('gs://Bad_Bucket/x')).toThrow(/invalid bucket name "Bad_Bucket".*lowercase/);
    expect(() => parseLocation('gs://ab')).toThrow(/3-63 characters/);
    expect(() => parseLocation('s3://bucket/x')).toThrow(/unsupported location/);
  });
});

describe('gs:// failures', () => {
  it('a bucket that does not exist is a clear error unless creation is allowed', async () => {
    const store = openStore('gs://nope-missing-bucket/x', { apiEndpoint: server.url });
    await expect(store.ensureBucket({ create: false })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/bucket does not exist/),
      context: { object: 'gs://nope-missing-bucket' },
    });
    expect(await store.ensureBucket({ location: 'EU' })).toEqual({ created: true });
    const bucket = server.state.bucket('nope-missing-bucket');
    expect(bucket).toMatchObject({
      location: 'EU',
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
    });
    expect(await store.ensureBucket()).toEqual({ created: false });
  });

  it('an unreachable endpoint is reported as transient with the object name', async () => {
    const store = openStore('gs://some-bucket/x', {
      apiEndpoint: 'http://127.0.0.1:9',
      retryOptions: { maxRetries: 1, maxRetryDelay: 0.1, totalTimeout: 2 },
    });
    const err = await store.stat('k').catch((e) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(String(err.message)).toContain('gs://some-bucket/x/k');
  });

  it('honours STORAGE_EMULATOR_HOST (bare /b/… paths) without credentials', async () => {
    const saved = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = server.url;
    try {
      const store = openStore('gs://via-env/x');
      expect(await store.ensureBucket()).toEqual({ created: true });
      await store.putBuffer('k', 'v');
      expect(server.readObject('via-env', 'x/k')?.toString()).toBe('v');
      expect((await store.list()).objects.map((o) => o.key)).toEqual(['k']);
    } finally {
      if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST;
      else process.env.STORAGE_EMULATOR_HOST = saved;
    }
  });

  it('checksums of local bytes match what the server computed', async () => {
    const store = openStore('gs://sum-check/x', { apiEndpoint: server.url });
    await store.ensureBucket();
    const data = Buffer.from('hello');
    const info = await store.putBuffer('h', data);
    expect(checksumBuffer(data)).toEqual({ size: 5, md5Hash: info.md5Hash, crc32c: info.crc32c });
    expect(info.crc32c).toBe('mnG7TA==');
  });
});
