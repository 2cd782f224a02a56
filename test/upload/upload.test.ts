/**
 * `upload` through the real @google-cloud/storage client against our GCS server
 * (and against a local folder): every byte and checksum checked, re-runs skip,
 * faults never lose or duplicate a file, failures are reported per file.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32cOf, type GcsStoreOptions } from '../../shared/storage/index.ts';
import { upload } from '../../upload/index.ts';
import { runSalesflow } from '../util/cli.ts';
import { type GcsServer, startGcsServer } from '../util/gcs-server/index.ts';
import { seededRandom } from '../util/seeded-random.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-upload-');
let server: GcsServer;
let store: GcsStoreOptions;
let src: string;
/** relPath → bytes of every file in the generated source folder. */
const files = new Map<string, Buffer>();

/** A small partitioned lake: 3 regions × 15 parts of varied sizes (0 B … 200 KiB), plus markers. */
async function makeLake(dir: string): Promise<void> {
  const rand = seededRandom(7);
  for (const region of ['North', 'South', 'East']) {
    for (let p = 0; p < 15; p++) {
      const size = p === 0 ? 0 : Math.floor(rand() * 200 * 1024);
      const data = Buffer.alloc(size);
      for (let i = 0; i < size; i++) data[i] = Math.floor(rand() * 256);
      files.set(`sales_region=${region}/part-${String(p).padStart(5, '0')}.parquet`, data);
    }
  }
  files.set('_manifest.json', Buffer.from('{"rows": 45}\n'));
  files.set('_SUCCESS', Buffer.alloc(0));
  for (const [rel, data] of files) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), data);
  }
  // A half-written temp sibling (shared/atomic.ts naming) must never be uploaded.
  await writeFile(join(dir, 'sales_region=North', '.part-00099.parquet.tmp-123-abcd1234'), 'partial');
}

beforeAll(async () => {
  server = await startGcsServer();
  // Files from 64 KiB up take the resumable path, the rest one multipart request: both get exercised.
  store = {
    apiEndpoint: server.url,
    resumableThreshold: 64 * 1024,
    retryOptions: { maxRetries: 8, retryDelayMultiplier: 1.5, maxRetryDelay: 1, totalTimeout: 60 },
  };
  src = join(tmp(), 'lake');
  await makeLake(src);
});
afterAll(async () => {
  await server.stop();
});

const md5 = (b: Buffer) => createHash('md5').update(b).digest('base64');

function expectBucketHoldsLake(bucket: string, prefix: string) {
  const names = server.listObjectNames(bucket);
  expect(names).toEqual([...files.keys()].map((k) => `${prefix}/${k}`).sort());
  for (const [rel, data] of files) {
    const obj = server.state.object(bucket, `${prefix}/${rel}`);
    expect(obj.data.equals(data), rel).toBe(true);
    expect(obj.md5Hash).toBe(md5(data));
    expect(obj.crc32c).toBe(crc32cOf(data));
  }
}

/** Upload the lake to gs://BUCKET/lake: a test that needs it there puts it there itself. */
async function bucketWithLake(bucket: string): Promise<void> {
  const summary = await upload({ src, dest: `gs://${bucket}/lake`, workers: 8, store });
  expect(summary).toMatchObject({ uploaded: files.size, failed: 0, bucketCreated: true });
}

describe('upload to gs:// (test server, real client)', () => {
  it('uploads a folder with -w 8, keeping relative paths, content types and exact bytes', async () => {
    const summary = await upload({ src, dest: 'gs://lake-bucket/lake', workers: 8, location: 'EU', store });
    expect(summary).toMatchObject({ uploaded: files.size, skipped: 0, failed: 0, bucketCreated: true });
    expect(summary.bytesUploaded).toBe([...files.values()].reduce((n, b) => n + b.length, 0));
    expectBucketHoldsLake('lake-bucket', 'lake');
    expect(server.state.object('lake-bucket', 'lake/sales_region=North/part-00001.parquet').contentType).toBe(
      'application/vnd.apache.parquet',
    );
    // Results carry the server's checksums, which match the local bytes.
    const r = summary.files.find((f) => f.relPath === 'sales_region=East/part-00003.parquet')!;
    expect(r.crc32c).toBe(crc32cOf(files.get(r.relPath)!));
    expect(server.state.bucket('lake-bucket')).toMatchObject({
      location: 'EU',
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
    });
  });

  it('a re-run skips every object (size + checksum match) and writes nothing', async () => {
    await bucketWithLake('rerun-bucket');
    const writes = server.stats.objectWrites;
    const summary = await upload({ src, dest: 'gs://rerun-bucket/lake', store });
    expect(summary).toMatchObject({ uploaded: 0, skipped: files.size, failed: 0, bucketCreated: false });
    expect(server.stats.objectWrites).toBe(writes);
  });

  it('re-uploads only a changed file; --force re-uploads everything', async () => {
    await bucketWithLake('changed-bucket');
    const rel = 'sales_region=South/part-00004.parquet';
    const changed = Buffer.from('different bytes');
    const other = join(tmp(), 'lake-changed');
    for (const [r, data] of files) {
      await mkdir(join(other, r, '..'), { recursive: true });
      await writeFile(join(other, r), r === rel ? changed : data);
    }
    const summary = await upload({ src: other, dest: 'gs://changed-bucket/lake', store });
    expect(summary).toMatchObject({ uploaded: 1, skipped: files.size - 1 });
    expect(summary.files.find((f) => f.status === 'uploaded')).toMatchObject({ relPath: rel, replaced: true });
    expect(server.readObject('changed-bucket', `lake/${rel}`)).toEqual(changed);

    const forced = await upload({ src, dest: 'gs://changed-bucket/lake', store, force: true });
    expect(forced).toMatchObject({ uploaded: files.size, skipped: 0, failed: 0 });
    expectBucketHoldsLake('changed-bucket', 'lake');
  });

  it('with 20% 503s, resets mid-upload and lost responses, every file lands exactly once', async () => {
    const before = { ...server.stats };
    server.setFaults({ error503: 0.2, resetMidUpload: 0.15, lostResponse: 0.15, seed: 42 });
    try {
      const summary = await upload({ src, dest: 'gs://faulty-bucket/lake', workers: 8, store });
      expect(summary.files.filter((f) => f.status === 'failed').map((f) => f.error?.message)).toEqual([]);
      expect(summary).toMatchObject({ uploaded: files.size, failed: 0 });
    } finally {
      server.setFaults(undefined);
    }
    expectBucketHoldsLake('faulty-bucket', 'lake');
    // Exactly once: one committed write per file, despite the retries.
    expect(server.stats.objectWrites - before.objectWrites).toBe(files.size);
    expect(server.stats.injected503 - before.injected503).toBeGreaterThan(0);
    expect(server.stats.resets - before.resets).toBeGreaterThan(0);
    expect(server.stats.lostResponses - before.lostResponses).toBeGreaterThan(0);
  });

  it('keeps going past failures, names each one and why, and holds back completion markers', async () => {
    server.setFaults({
      failObjects: [
        { match: /North\/part-00002/, status: 403 },
        { match: /South\/part-00002/, status: 503 },
      ],
    });
    let summary: Awaited<ReturnType<typeof upload>>;
    try {
      summary = await upload({
        src,
        dest: 'gs://partial-bucket/lake',
        // Client retries off: the always-503 file still gets our whole-file attempts, just faster.
        store: { ...store, retryOptions: { autoRetry: false } },
      });
    } finally {
      server.setFaults(undefined);
    }
    expect(summary).toMatchObject({ failed: 2, heldBack: 2, uploaded: files.size - 4 });
    const failed = summary.files.filter((f) => f.status === 'failed');
    expect(failed.map((f) => [f.relPath, f.error?.retry])).toEqual([
      ['sales_region=North/part-00002.parquet', 'terminal'],
      ['sales_region=South/part-00002.parquet', 'transient'],
    ]);
    expect(failed[0].error?.message).toMatch(/permission denied/);
    // Terminal: tried once. Transient: restarted whole until the attempts ran out.
    expect(failed.map((f) => f.attempts)).toEqual([1, 3]);
    const names = server.listObjectNames('partial-bucket');
    expect(names).not.toContain('lake/_SUCCESS');
    expect(names).not.toContain('lake/_manifest.json');
    expect(names).toHaveLength(files.size - 4);
  });

  it('dry run reports what would happen and changes nothing', async () => {
    const summary = await upload({ src, dest: 'gs://never-created/lake', dryRun: true, store });
    expect(summary).toMatchObject({ uploaded: files.size, skipped: 0, dryRun: true });
    expect(server.state.buckets.has('never-created')).toBe(false);
    await bucketWithLake('dry-run-bucket');
    const again = await upload({ src, dest: 'gs://dry-run-bucket/lake', dryRun: true, store });
    expect(again).toMatchObject({ uploaded: 0, skipped: files.size });
  });

  it('a single file with --prefix', async () => {
    const one = join(src, 'sales_region=East/part-00001.parquet');
    const summary = await upload({ src: one, dest: 'gs://single-bucket', prefix: 'raw/2026-11-22', store });
    expect(summary.uploaded).toBe(1);
    const stored = server.readObject('single-bucket', 'raw/2026-11-22/part-00001.parquet');
    expect(stored?.equals(files.get('sales_region=East/part-00001.parquet')!)).toBe(true);
    // The prefix is normalised the same way for the listing as for the keys: a re-run with
    // slashes around it finds the object and skips it.
    const again = await upload({ src: one, dest: 'gs://single-bucket', prefix: '/raw/2026-11-22/', store });
    expect(again).toMatchObject({ uploaded: 0, skipped: 1, failed: 0 });
  });
});

describe('upload to a local folder', () => {
  it('lands every file atomically and skips them on a re-run', async () => {
    const dest = join(tmp(), 'bucket-folder', 'lake');
    const first = await upload({ src, dest, workers: 4 });
    expect(first).toMatchObject({ uploaded: files.size, failed: 0, bucketCreated: true });
    // Buffer.equals: vitest's deep equality walks big buffers byte by byte, far too slowly.
    for (const [rel, data] of files) expect((await readFile(join(dest, rel))).equals(data), rel).toBe(true);
    expect(readdirSync(join(dest, 'sales_region=North')).some((n) => n.includes('.tmp-'))).toBe(false);
    const again = await upload({ src, dest });
    expect(again).toMatchObject({ uploaded: 0, skipped: files.size });
  });

  it('a file written to while it is uploaded is reported failed (transient), not uploaded', async () => {
    const growing = join(tmp(), 'growing');
    await mkdir(growing, { recursive: true });
    await writeFile(join(growing, 'a.csv'), 'id\n1\n');
    await writeFile(join(growing, 'b.csv'), 'id\n2\n');
    let appended = false;
    const summary = await upload({
      src: growing,
      dest: join(tmp(), 'growing-bucket'),
      workers: 1,
      // While a.csv (first in order) goes up, a writer appends to it.
      onBytes: () => {
        if (appended) return;
        appended = true;
        appendFileSync(join(growing, 'a.csv'), '3\n');
      },
    });
    expect(summary).toMatchObject({ uploaded: 1, failed: 1 });
    const failed = summary.files.find((f) => f.status === 'failed');
    expect(failed?.relPath).toBe('a.csv');
    expect(failed?.error?.message).toMatch(/changed while being uploaded/);
    expect(failed?.error?.transient).toBe(true);
    // Settled: the re-run uploads it.
    const again = await upload({ src: growing, dest: join(tmp(), 'growing-bucket') });
    expect(again).toMatchObject({ uploaded: 1, skipped: 1, failed: 0 });
  });
});

describe('salesflow upload (CLI)', () => {
  it('uploads through --api-endpoint and prints the summary table', async () => {
    const res = await runSalesflow(['upload', src, 'gs://cli-bucket/lake', '-w', '8', '--api-endpoint', server.url]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`${files.size} uploaded .*0 skipped.*0 failed; bucket created`));
    expect(res.stdout).toMatch(/uploaded\s+47/);
    expect(server.listObjectNames('cli-bucket')).toHaveLength(files.size);
  });

  it('a missing SRC, a bad bucket name and bad flags exit 2 with a clear message', async () => {
    const missing = await runSalesflow(['upload', join(tmp(), 'nope'), 'gs://b-ok/x', '--api-endpoint', server.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope: SRC does not exist/);
    const bad = await runSalesflow(['upload', src, 'gs://Bad_Name/x', '--api-endpoint', server.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid bucket name "Bad_Name"/);
    const workers = await runSalesflow(['upload', src, 'gs://b-ok/x', '-w', 'lots']);
    expect(workers.code).toBe(2);
    expect(workers.stderr).toMatch(/--workers must be a whole number from 1 to 256, got "lots"/);
  });

  it('an unwritable DEST exits 1 naming the place', async () => {
    const file = join(tmp(), 'a-file');
    await writeFile(file, 'x');
    const res = await runSalesflow(['upload', src, join(file, 'sub')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(join(file, 'sub'));
    expect(res.stderr).toMatch(/ENOTDIR|not a folder/);
    expect(existsSync(join(file, 'sub'))).toBe(false);
  });
});
