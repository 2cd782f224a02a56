/**
 * upload: `salesflow upload -w 1` vs `-w 8` vs TransferManager.uploadManyFiles
 * with its defaults (vs `gcloud storage cp -r` too, when gcloud is installed),
 * all against our GCS test server (a process of its own), whole processes,
 * alternated, median of BENCH_RUNS (default 3), peak RSS, MB/s.
 *
 *   npm run bench -- upload          BENCH_UPLOAD_FILES=100 for a quick look
 *
 * Datasets: data/bench/files-500x1mb (500 × 1 MiB random files, created here
 * atomically if missing) and data/bench/lake-10m (the 10M-row Parquet lake from
 * `salesflow to-parquet`; skipped if missing). Every run starts from an empty
 * bucket and is checked afterwards: every object there, with the right size.
 * The peer runs as this same file with `--run transfer-manager DIR BUCKET URL`.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { tempSiblingPath } from '../shared/atomic.ts';
import { formatTable } from '../shared/format.ts';
import { type ObjectStore, openStore } from '../shared/storage/index.ts';
import { BENCH_DATA, type Candidate, compare, NODE } from './util/measure.ts';
import { startPeer } from './util/peer-process.ts';
import { SALES_LAKE } from './util/data.ts';

const FILES = Number(process.env.BENCH_UPLOAD_FILES ?? 500);
const SMALL_DIR = join(BENCH_DATA, FILES === 500 ? 'files-500x1mb' : `files-${FILES}x1mb`);
const LAKE_DIR = SALES_LAKE;
const SELF = new URL(import.meta.url).pathname;
const BUCKET = 'bench';

/** The peer: TransferManager.uploadManyFiles with the library's defaults (5 at a time, resumable). */
async function transferManagerUpload(dir: string, bucket: string, endpoint: string): Promise<void> {
  const { Storage, TransferManager } = await import('@google-cloud/storage');
  const storage = new Storage({ apiEndpoint: endpoint, projectId: 'bench' });
  const tm = new TransferManager(storage.bucket(bucket));
  // Relative names like ours (uploadManyFiles keeps the path it is given, so run from inside dir).
  process.chdir(dir);
  await tm.uploadManyFiles(listFiles('.'), { prefix: 'data' });
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out;
}

function ensureSmallFiles(): void {
  if (existsSync(SMALL_DIR)) return;
  const tmp = tempSiblingPath(SMALL_DIR);
  mkdirSync(tmp, { recursive: true });
  for (let i = 0; i < FILES; i++)
    writeFileSync(join(tmp, `file-${String(i).padStart(4, '0')}.bin`), randomBytes(1 << 20));
  try {
    renameSync(tmp, SMALL_DIR);
  } catch (err) {
    // Another bench made it meanwhile: use theirs.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(SMALL_DIR)) throw err;
  }
}

/** gcloud pointed at the test server through the environment: anonymous, our endpoint. */
function gcloudEnv(endpoint: string): NodeJS.ProcessEnv | undefined {
  if (spawnSync('gcloud', ['--version'], { stdio: 'ignore' }).status !== 0) return undefined;
  return {
    CLOUDSDK_CONFIG: join(BENCH_DATA, '.gcloud-upload-bench'),
    CLOUDSDK_AUTH_DISABLE_CREDENTIALS: 'true',
    CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE: `${endpoint}/`,
    CLOUDSDK_CORE_PROJECT: 'bench',
  };
}

/** Delete every object of the bucket (through the API, as any client would), some at a time. */
async function emptyBucket(bucket: ObjectStore): Promise<void> {
  const { objects } = await bucket.list();
  for (let i = 0; i < objects.length; i += 32)
    await Promise.all(objects.slice(i, i + 32).map((o) => bucket.delete(o.key)));
}

async function suite(name: string, dir: string, endpoint: string): Promise<void> {
  const local = listFiles(dir);
  const bytes = local.reduce((n, f) => n + statSync(f).size, 0);
  const bucket = openStore(`gs://${BUCKET}`, { apiEndpoint: endpoint, projectId: 'bench' });
  const fresh = async () => {
    await bucket.ensureBucket();
    await emptyBucket(bucket);
  };
  const verify = (prefix: string) => async () => {
    const { objects } = await bucket.list(prefix);
    const stored = objects.reduce((n, o) => n + o.size, 0);
    if (objects.length !== local.length || stored !== bytes) {
      throw new Error(`${name}: expected ${local.length} objects / ${bytes} B, found ${objects.length} / ${stored} B`);
    }
    // Free the server's memory before the next run.
    await emptyBucket(bucket);
    return { objects: objects.length };
  };
  const ours = (workers: number): Candidate => ({
    name: `salesflow upload -w ${workers}`,
    cmd: NODE,
    args: ['bin/salesflow.js', 'upload', dir, `gs://${BUCKET}/data`, '-w', String(workers), '--api-endpoint', endpoint],
    before: fresh,
    after: verify('data/'),
  });
  const candidates: Candidate[] = [
    ours(1),
    ours(8),
    {
      name: 'TransferManager.uploadManyFiles (defaults)',
      cmd: NODE,
      args: [SELF, '--run', 'transfer-manager', dir, BUCKET, endpoint],
      before: fresh,
      after: verify('data/'),
    },
  ];
  const gcloud = gcloudEnv(endpoint);
  if (gcloud) {
    // `cp -r DIR gs://b/data` into an empty bucket lands DIR's contents under data/.
    candidates.push({
      name: 'gcloud storage cp -r',
      cmd: 'gcloud',
      args: ['storage', 'cp', '-r', dir, `gs://${BUCKET}/data`],
      env: gcloud,
      before: fresh,
      after: verify('data/'),
    });
  }
  const results = await compare(`upload-${name}`, candidates);
  const mb = bytes / 1024 / 1024;
  const rows = results.map((r) => [
    r.name,
    r.medianSeconds.toFixed(2),
    (mb / r.medianSeconds).toFixed(1),
    (results[1].medianSeconds / r.medianSeconds).toFixed(2),
    r.medianPeakRssMB.toFixed(0),
  ]);
  process.stdout.write(
    `\n${name}: ${local.length} files, ${mb.toFixed(0)} MiB\n` +
      `${formatTable(['candidate', 'median s', 'MiB/s', 'speed of -w 8 vs this', 'peak RSS MB'], rows)}\n`,
  );
}

const [mode, peer, ...rest] = process.argv.slice(2);
if (mode === '--run' && peer === 'transfer-manager') {
  const [dir, bucket, endpoint] = rest;
  await transferManagerUpload(dir, bucket, endpoint);
} else {
  mkdirSync(BENCH_DATA, { recursive: true });
  ensureSmallFiles();
  const gcs = await startPeer('gcs-server');
  const endpoint = gcs.env.STORAGE_EMULATOR_HOST;
  try {
    await suite(`${FILES}x1mb`, SMALL_DIR, endpoint);
    if (existsSync(LAKE_DIR)) await suite('lake-10m', LAKE_DIR, endpoint);
    else
      process.stdout.write(
        `(skipping the Parquet lake: ${relative(process.cwd(), LAKE_DIR).split(sep).join('/')} is missing)\n`,
      );
  } finally {
    await gcs.stop();
  }
}
