/**
 * Reads from gs:// under transient faults (503, 429, connections cut halfway
 * through a download): every read path of the object store retries them
 * within the client's retry policy, resumes where a stream broke off, and
 * never crashes the process with an uncaught stream error
 * (ERR_STREAM_UNABLE_TO_PIPE from the client's own stream retries).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TransientError } from '../../../shared/errors.ts';
import { NotFoundError, type ObjectStore, openStore } from '../../../shared/storage/index.ts';
import { type GcsServer, startGcsServer } from '../../util/gcs-server/index.ts';
import { useTempDir } from '../../util/tmp.ts';

const tmp = useTempDir('salesflow-read-retry-');
let server: GcsServer;
let store: ObjectStore;
const objects: Record<string, Buffer> = {
  'big.bin': randomBytes(3 * 1024 * 1024 + 17),
  'small.csv': Buffer.from('a,b\n1,2\n'),
  'empty.txt': Buffer.alloc(0),
};
// Quick retries (the budget, not the delays, is what the test is about), and enough of them.
const retryOptions = { maxRetries: 12, retryDelayMultiplier: 1, maxRetryDelay: 0.02, totalTimeout: 60 };
const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);

beforeAll(async () => {
  server = await startGcsServer();
  const writer = openStore('gs://read-faults/data', { apiEndpoint: server.url });
  await writer.ensureBucket();
  for (const [key, data] of Object.entries(objects)) await writer.putBuffer(key, data);
  // Reads only (the client's upload retries refuse delays this short).
  store = openStore('gs://read-faults/data', { apiEndpoint: server.url, retryOptions });
  process.on('warning', onWarning);
});
afterEach(() => server.setFaults(undefined));
afterAll(async () => {
  process.off('warning', onWarning);
  await server.stop();
});

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('gs:// reads under transient faults', () => {
  it('getBuffer, getStream (whole and ranged) and getFile return the exact bytes', async () => {
    server.setFaults({ error503: 0.3, error429: 0.1, resetMidDownload: 0.4, seed: 7 });
    for (let round = 0; round < 3; round++) {
      for (const [key, data] of Object.entries(objects)) {
        expect((await store.getBuffer(key)).equals(data), `getBuffer ${key}`).toBe(true);
        expect((await drain(await store.getStream(key))).equals(data), `getStream ${key}`).toBe(true);
        const local = join(tmp(), `r${round}`, key);
        await store.getFile(key, local);
        expect(readFileSync(local).equals(data), `getFile ${key}`).toBe(true);
      }
      const big = objects['big.bin'];
      const range = { start: 1000, end: 2 * 1024 * 1024 };
      const slice = big.subarray(range.start, range.end + 1);
      expect((await store.getBuffer('big.bin', range)).equals(slice)).toBe(true);
      expect((await drain(await store.getStream('big.bin', range))).equals(slice)).toBe(true);
    }
    // The faults did happen, mid-body too (a resumed stream), and left nothing behind.
    expect(server.stats.injected503).toBeGreaterThan(5);
    expect(server.stats.downloadResets).toBeGreaterThan(5);
    for (let round = 0; round < 3; round++) {
      expect(readdirSync(join(tmp(), `r${round}`)).sort()).toEqual(Object.keys(objects).sort());
    }
    expect(warnings).toEqual([]);
  });

  it('gives up with a typed transient error once the retry budget is spent, and never retries a missing object', async () => {
    const few = openStore('gs://read-faults/data', {
      apiEndpoint: server.url,
      retryOptions: { maxRetries: 2, retryDelayMultiplier: 1, maxRetryDelay: 0.01 },
    });
    server.setFaults({ error503: 1, target: 'downloads', seed: 3 });
    const before = server.stats.injected503;
    for (const read of [
      () => few.getBuffer('small.csv'),
      () => few.getFile('small.csv', join(tmp(), 'never', 'small.csv')),
    ]) {
      const err = await read().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransientError);
      expect(String((err as Error).message)).toContain('gs://read-faults/data/small.csv');
    }
    expect(server.stats.injected503 - before).toBe(6); // 3 attempts each (1 + maxRetries)
    expect(readdirSync(join(tmp(), 'never'))).toEqual([]); // no temp file left
    server.setFaults({ resetMidDownload: 1 });
    const stream = await few.getStream('big.bin');
    await expect(drain(stream)).rejects.toBeInstanceOf(TransientError);
    server.setFaults(undefined);
    await expect(few.getBuffer('nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(few.getStream('nope')).rejects.toBeInstanceOf(NotFoundError);
  });
});
