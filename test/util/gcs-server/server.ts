/**
 * A GCS JSON API server for tests: enough of the public API for the real
 * `@google-cloud/storage` client (buckets, media/multipart/resumable uploads,
 * downloads with ranges, listing, preconditions, GCS-format errors), plus fault
 * injection (503/429 answers, connection resets mid-upload, lost responses after
 * an upload committed) so tests can prove retries land every object exactly once.
 *
 * Point a client at it with `new Storage({ apiEndpoint: server.url })` or
 * `STORAGE_EMULATOR_HOST=server.url`: both `/storage/v1/b/…` and bare `/b/…`
 * paths are served, because the client uses the latter under the env variable.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseGoogHash } from './checksums.ts';
import { parseMultipartRelated } from '../multipart.ts';
import { type BucketRecord, GcsApiError, GcsState, type ObjectRecord, type Preconditions } from './state.ts';
import { seededChance } from '../seeded-random.ts';

export interface GcsFaults {
  /** Share (0..1) of requests answered 503 before doing anything. */
  error503?: number;
  /** Share (0..1) of requests answered 429 before doing anything. */
  error429?: number;
  /** Share (0..1) of upload requests whose connection is reset after part of the body arrived. */
  resetMidUpload?: number;
  /** Share (0..1) of uploads that commit the object but lose the response (connection reset). */
  lostResponse?: number;
  /** Share (0..1) of downloads whose connection is dropped halfway through the body. */
  resetMidDownload?: number;
  /** Uploads of matching object names always fail with this status (e.g. 403 terminal, 503 transient). */
  failObjects?: { match: RegExp; status: number }[];
  /** Which requests the 503/429 faults hit (default all; `downloads`: object media reads only). */
  target?: 'all' | 'uploads' | 'downloads';
  /** PRNG seed, so a failing run can be replayed. */
  seed?: number;
}

export interface GcsServerStats {
  requests: number;
  injected503: number;
  injected429: number;
  resets: number;
  /** Downloads cut halfway (resetMidDownload). */
  downloadResets: number;
  lostResponses: number;
  /** Objects written (each upload that committed, including overwrites). */
  objectWrites: number;
}

export interface GcsServerOptions {
  port?: number;
  host?: string;
  faults?: GcsFaults;
  /** Print one line per request to stderr. */
  log?: boolean;
}

export interface GcsServer {
  /** `http://host:port`, for `apiEndpoint` / `STORAGE_EMULATOR_HOST`. */
  readonly url: string;
  /** `host:port`. */
  readonly host: string;
  readonly port: number;
  readonly state: GcsState;
  readonly stats: GcsServerStats;
  /** Change fault injection while running (e.g. faults only for the phase under test). */
  setFaults(faults: GcsFaults | undefined): void;
  /** The stored bytes of an object, or undefined. */
  readObject(bucket: string, name: string): Buffer | undefined;
  /** Names of every object in a bucket, sorted. */
  listObjectNames(bucket: string): string[];
  stop(): Promise<void>;
}

/** Resumable sessions keep only whole 256 KiB units of an interrupted request, like GCS. */
const RESUMABLE_UNIT = 256 * 1024;

export async function startGcsServer(opts: GcsServerOptions = {}): Promise<GcsServer> {
  const state = new GcsState();
  const stats: GcsServerStats = {
    requests: 0,
    injected503: 0,
    injected429: 0,
    resets: 0,
    downloadResets: 0,
    lostResponses: 0,
    objectWrites: 0,
  };
  let faults: GcsFaults = opts.faults ?? {};
  let chance = seededChance(faults.seed ?? 1);

  const server = createServer((req, res) => {
    stats.requests++;
    handle(req, res).catch((err) => sendError(res, err));
  });
  server.keepAliveTimeout = 30_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const base = `http://${req.headers.host}`;
    const url = new URL(req.url ?? '/', base);
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    const rawSegments = url.pathname.split('/').filter((s, i) => i > 0 || s !== '');
    let segments = rawSegments.map((s) => decodeURIComponent(s));
    let upload = false;
    let download = false;
    if (segments[0] === 'upload' && segments[1] === 'storage' && segments[2] === 'v1') {
      upload = true;
      segments = segments.slice(3);
    } else if (segments[0] === 'download' && segments[1] === 'storage' && segments[2] === 'v1') {
      download = true;
      segments = segments.slice(3);
    } else if (segments[0] === 'storage' && segments[1] === 'v1') {
      segments = segments.slice(2);
    }
    if (opts.log) process.stderr.write(`gcs-server: ${method} ${req.url}\n`);

    const media = method === 'GET' && (download || q.get('alt') === 'media');
    if (injectError(req, res, upload, media)) return;

    // /b
    if (segments[0] !== 'b') throw new GcsApiError(404, 'notFound', `Not found: ${url.pathname}`);
    const bucketName = segments[1];
    if (bucketName === undefined || bucketName === '') {
      if (method === 'GET') return sendJson(res, 200, listBuckets(q));
      if (method === 'POST') {
        const body = parseJson(await readBody(req));
        const iam = (body.iamConfiguration ?? {}) as Record<string, Record<string, unknown> | string | undefined>;
        const ubla = iam.uniformBucketLevelAccess as Record<string, unknown> | undefined;
        const bucket = state.createBucket({
          name: String(body.name ?? ''),
          location: body.location as string | undefined,
          storageClass: body.storageClass as string | undefined,
          uniformBucketLevelAccess: ubla?.enabled === true,
          publicAccessPrevention: iam.publicAccessPrevention as string | undefined,
        });
        return sendJson(res, 200, bucketResource(bucket, base));
      }
      throw new GcsApiError(405, 'methodNotAllowed', `${method} not allowed on /b`);
    }
    // /b/:bucket
    if (segments.length === 2) {
      if (method === 'GET') return sendJson(res, 200, bucketResource(state.bucket(bucketName), base));
      if (method === 'DELETE') {
        state.deleteBucket(bucketName);
        return sendEmpty(res, 204);
      }
      throw new GcsApiError(405, 'methodNotAllowed', `${method} not allowed on a bucket`);
    }
    // gcloud storage asks for the layout before copying (hierarchical namespace or not).
    if (segments[2] === 'storageLayout' && method === 'GET') {
      const b = state.bucket(bucketName);
      return sendJson(res, 200, {
        kind: 'storage#storageLayout',
        bucket: b.name,
        location: b.location,
        locationType: 'region',
        hierarchicalNamespace: { enabled: false },
      });
    }
    if (segments[2] !== 'o') throw new GcsApiError(404, 'notFound', `Not found: ${url.pathname}`);
    // /b/:bucket/o/:object/rewriteTo/b/:destBucket/o/:destObject (the client's File#copy)
    const rewrite = segments.indexOf('rewriteTo', 4);
    if (method === 'POST' && rewrite > 3 && segments[rewrite + 1] === 'b' && segments[rewrite + 3] === 'o') {
      const copy = rewriteObject(
        { bucket: bucketName, name: segments.slice(3, rewrite).join('/') },
        { bucket: segments[rewrite + 2], name: segments.slice(rewrite + 4).join('/') },
        q,
      );
      stats.objectWrites++;
      return sendJson(res, 200, {
        kind: 'storage#rewriteResponse',
        totalBytesRewritten: String(copy.data.length),
        objectSize: String(copy.data.length),
        done: true,
        resource: objectResource(copy, base),
      });
    }
    const objectName = segments.slice(3).join('/');
    if (upload) return handleUpload(req, res, bucketName, q, base);
    // /b/:bucket/o
    if (segments.length === 3) {
      if (method === 'GET') return sendJson(res, 200, listObjects(bucketName, q, base));
      throw new GcsApiError(405, 'methodNotAllowed', `${method} not allowed on /o`);
    }
    // /b/:bucket/o/:object
    const generation = q.has('generation') ? Number(q.get('generation')) : undefined;
    if (method === 'GET') {
      const obj = state.object(bucketName, objectName, generation);
      state.checkPreconditions(bucketName, objectName, preconditionsFrom(q));
      if (download || q.get('alt') === 'media') {
        const cut = chance(faults.resetMidDownload);
        if (cut) stats.downloadResets++;
        return sendMedia(req, res, obj, cut);
      }
      return sendJson(res, 200, objectResource(obj, base));
    }
    if (method === 'DELETE') {
      state.deleteObject(bucketName, objectName, { ...preconditionsFrom(q), generation });
      return sendEmpty(res, 204);
    }
    if (method === 'PATCH' || method === 'PUT') {
      const obj = state.object(bucketName, objectName, generation);
      state.checkPreconditions(bucketName, objectName, preconditionsFrom(q));
      const body = parseJson(await readBody(req));
      if (typeof body.contentType === 'string') obj.contentType = body.contentType;
      if (body.metadata && typeof body.metadata === 'object') {
        obj.metadata = { ...obj.metadata, ...(body.metadata as Record<string, string>) };
      }
      obj.metageneration++;
      return sendJson(res, 200, objectResource(obj, base));
    }
    throw new GcsApiError(405, 'methodNotAllowed', `${method} not allowed on an object`);
  }

  /** A server-side copy, in one call (GCS may take several for big objects; the client follows rewriteToken). */
  function rewriteObject(
    from: { bucket: string; name: string },
    to: { bucket: string; name: string },
    q: URLSearchParams,
  ) {
    const num = (k: string) => (q.has(k) ? Number(q.get(k)) : undefined);
    const source = state.object(from.bucket, from.name, num('sourceGeneration'));
    const ifSource = num('ifSourceGenerationMatch');
    if (ifSource !== undefined && ifSource !== source.generation) {
      throw new GcsApiError(412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.');
    }
    return state.putObject({
      bucket: to.bucket,
      name: to.name,
      data: source.data,
      contentType: source.contentType,
      storageClass: source.storageClass,
      metadata: source.metadata,
      preconditions: preconditionsFrom(q),
    });
  }

  async function handleUpload(
    req: IncomingMessage,
    res: ServerResponse,
    bucket: string,
    q: URLSearchParams,
    base: string,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const uploadType = q.get('uploadType') ?? (q.has('upload_id') ? 'resumable' : 'media');
    const preconditions = preconditionsFrom(q);
    const forced = faults.failObjects?.find((f) => f.match.test(q.get('name') ?? ''));
    if (forced && !q.has('upload_id')) {
      await readBody(req);
      const reason = forced.status === 403 ? 'forbidden' : forced.status >= 500 ? 'backendError' : 'invalid';
      throw new GcsApiError(forced.status, reason, `Upload of ${q.get('name')} refused (injected ${forced.status})`);
    }

    if (uploadType === 'resumable' && q.has('upload_id')) {
      if (method === 'DELETE') {
        state.sessions.delete(q.get('upload_id')!);
        return sendEmpty(res, 499);
      }
      return handleResumableChunk(req, res, q.get('upload_id')!, base);
    }

    const body = await readBodyMaybeReset(req, res);
    if (body === undefined) return;

    if (uploadType === 'resumable') {
      const meta = body.length ? parseJson(body) : {};
      const lengthHeader = req.headers['x-upload-content-length'];
      const session = state.startSession(
        {
          bucket,
          name: String(q.get('name') ?? meta.name ?? ''),
          contentType: String(req.headers['x-upload-content-type'] ?? meta.contentType ?? ''),
          storageClass: meta.storageClass as string | undefined,
          metadata: meta.metadata as Record<string, string> | undefined,
          preconditions,
          expected: { crc32c: meta.crc32c as string | undefined, md5Hash: meta.md5Hash as string | undefined },
        },
        lengthHeader === undefined ? undefined : Number(lengthHeader),
      );
      res.setHeader(
        'Location',
        `${base}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&upload_id=${session.id}`,
      );
      return sendEmpty(res, 200);
    }

    let data: Buffer;
    let meta: Record<string, unknown> = {};
    let contentType = String(req.headers['content-type'] ?? '');
    if (uploadType === 'multipart') {
      const parts = parseMultipartRelated(contentType, body);
      if (parts.length < 2) throw new GcsApiError(400, 'invalid', 'Multipart upload needs a metadata and a media part');
      meta = parseJson(parts[0].body);
      data = parts[1].body;
      contentType = String(meta.contentType ?? parts[1].headers['content-type'] ?? '');
    } else if (uploadType === 'media') {
      data = body;
    } else {
      throw new GcsApiError(400, 'invalid', `Unsupported uploadType ${uploadType}`);
    }
    const obj = state.putObject({
      bucket,
      name: String(q.get('name') ?? meta.name ?? ''),
      data,
      contentType,
      storageClass: meta.storageClass as string | undefined,
      metadata: meta.metadata as Record<string, string> | undefined,
      preconditions,
      expected: {
        crc32c: meta.crc32c as string | undefined,
        md5Hash: meta.md5Hash as string | undefined,
        ...parseGoogHash(req.headers['x-goog-hash']),
      },
    });
    stats.objectWrites++;
    return sendCommitted(res, obj, base);
  }

  async function handleResumableChunk(req: IncomingMessage, res: ServerResponse, id: string, base: string) {
    const session = state.session(id);
    const range = parseContentRange(req.headers['content-range']);
    const resetNow = !session.done && range.start !== undefined && chance(faults.resetMidUpload);
    const body = await readBody(req, resetNow ? Number(req.headers['content-length'] ?? 0) / 2 : undefined);
    if (session.done) return sendJson(res, 200, objectResource(session.done, base));
    if (range.total !== undefined) session.total = range.total;
    if (range.start !== undefined) {
      if (range.start > session.received) {
        // A gap: the client believes we hold more than we do; tell it where we are.
        return sendIncomplete(res, session.received);
      }
      let bytes = body.subarray(Math.min(body.length, session.received - range.start));
      if (resetNow) {
        // Keep whole 256 KiB units of what arrived, then drop the connection.
        const kept = Math.floor((range.start + body.length) / RESUMABLE_UNIT) * RESUMABLE_UNIT - session.received;
        if (kept > 0) {
          session.chunks.push(Buffer.from(bytes.subarray(0, kept)));
          session.received += kept;
        }
        stats.resets++;
        req.socket.destroy();
        return;
      }
      if (bytes.length) {
        bytes = Buffer.from(bytes);
        session.chunks.push(bytes);
        session.received += bytes.length;
      }
    }
    // `a-*/*`: this request carried the rest of the object.
    if (range.toEnd && range.total === undefined) session.total = session.received;
    if (session.total !== undefined && session.received > session.total) {
      throw new GcsApiError(
        400,
        'invalid',
        `Received ${session.received} bytes, more than the declared ${session.total}`,
      );
    }
    if (session.total !== undefined && session.received === session.total) {
      const obj = state.completeSession(session, parseGoogHash(req.headers['x-goog-hash']));
      stats.objectWrites++;
      return sendCommitted(res, obj, base);
    }
    return sendIncomplete(res, session.received);
  }

  /** Read an upload body, or reset the connection halfway through it (fault injection). */
  async function readBodyMaybeReset(req: IncomingMessage, _res: ServerResponse): Promise<Buffer | undefined> {
    if (!chance(faults.resetMidUpload)) return readBody(req);
    await readBody(req, Number(req.headers['content-length'] ?? 0) / 2);
    stats.resets++;
    req.socket.destroy();
    return undefined;
  }

  /** A committed upload's answer, unless this response is chosen to be lost. */
  function sendCommitted(res: ServerResponse, obj: ObjectRecord, base: string) {
    if (chance(faults.lostResponse)) {
      stats.lostResponses++;
      res.socket?.destroy();
      return;
    }
    sendJson(res, 200, objectResource(obj, base));
  }

  function injectError(req: IncomingMessage, res: ServerResponse, upload: boolean, media: boolean): boolean {
    if (faults.target === 'uploads' && !upload) return false;
    if (faults.target === 'downloads' && !media) return false;
    const code = chance(faults.error503) ? 503 : chance(faults.error429) ? 429 : 0;
    if (!code) return false;
    if (code === 503) stats.injected503++;
    else stats.injected429++;
    // Drain the body so the connection stays usable, as a real front end would.
    req.resume();
    req.on('end', () =>
      sendError(
        res,
        code === 503
          ? new GcsApiError(503, 'backendError', 'Backend Error (injected)')
          : new GcsApiError(429, 'rateLimitExceeded', 'The rate of change requests is too high (injected)'),
      ),
    );
    return true;
  }

  function listBuckets(q: URLSearchParams) {
    const prefix = q.get('prefix') ?? '';
    const items = [...state.buckets.values()]
      .filter((b) => b.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((b) => bucketResource(b, ''));
    return { kind: 'storage#buckets', ...(items.length ? { items } : {}) };
  }

  function listObjects(bucketName: string, q: URLSearchParams, base: string) {
    const bucket = state.bucket(bucketName);
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const maxResults = Math.max(1, Math.min(1000, Number(q.get('maxResults') ?? 1000) || 1000));
    const marker = q.has('pageToken') ? Buffer.from(q.get('pageToken')!, 'base64url').toString('utf8') : '';
    const startOffset = q.get('startOffset') ?? '';
    const endOffset = q.get('endOffset');
    const names = [...bucket.objects.keys()]
      .filter((n) => n.startsWith(prefix) && n > marker && n >= startOffset && (endOffset === null || n < endOffset))
      .sort();
    const items: ObjectRecord[] = [];
    const prefixes: string[] = [];
    let last = '';
    let count = 0;
    let truncated = false;
    for (const name of names) {
      if (name <= last) continue;
      if (count >= maxResults) {
        truncated = true;
        break;
      }
      const cut = delimiter ? name.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const p = name.slice(0, cut + delimiter.length);
        prefixes.push(p);
        // Skip every other name under this prefix.
        last = `${p}\u{10FFFF}`;
      } else {
        items.push(bucket.objects.get(name)!);
        last = name;
      }
      count++;
    }
    return {
      kind: 'storage#objects',
      ...(items.length ? { items: items.map((o) => objectResource(o, base)) } : {}),
      ...(prefixes.length ? { prefixes } : {}),
      ...(truncated ? { nextPageToken: Buffer.from(last, 'utf8').toString('base64url') } : {}),
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const hostPort = `${addr.address}:${addr.port}`;
  return {
    url: `http://${hostPort}`,
    host: hostPort,
    port: addr.port,
    state,
    stats,
    setFaults(f) {
      faults = f ?? {};
      chance = seededChance(faults.seed ?? 1);
    },
    readObject(bucket, name) {
      return state.buckets.get(bucket)?.objects.get(name)?.data;
    },
    listObjectNames(bucket) {
      return [...(state.buckets.get(bucket)?.objects.keys() ?? [])].sort();
    },
    stop() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function preconditionsFrom(q: URLSearchParams): Preconditions {
  const num = (k: string) => (q.has(k) ? Number(q.get(k)) : undefined);
  return {
    ifGenerationMatch: num('ifGenerationMatch'),
    ifGenerationNotMatch: num('ifGenerationNotMatch'),
    ifMetagenerationMatch: num('ifMetagenerationMatch'),
    ifMetagenerationNotMatch: num('ifMetagenerationNotMatch'),
  };
}

function parseContentRange(header: string | undefined): {
  start?: number;
  end?: number;
  total?: number;
  toEnd?: boolean;
} {
  if (!header) return {};
  // `bytes a-b/N`, `bytes a-b/*`, `bytes */N`, `bytes */*`, and the client's single-request
  // form `bytes a-*/*` ("the rest of the object is this request's body").
  const m = /^bytes (?:(\d+)-(\d+|\*)|\*)\/(\d+|\*)$/.exec(header.trim());
  if (!m) throw new GcsApiError(400, 'invalid', `Bad Content-Range: ${header}`);
  return {
    start: m[1] === undefined ? undefined : Number(m[1]),
    end: m[2] === undefined || m[2] === '*' ? undefined : Number(m[2]),
    total: m[3] === '*' ? undefined : Number(m[3]),
    toEnd: m[2] === '*',
  };
}

/** Read a request body; with `resetAfter`, stop once that many bytes arrived (the caller then resets). */
function readBody(req: IncomingMessage, resetAfter?: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, size));
    };
    req.on('data', (c: Buffer) => {
      if (settled) return;
      chunks.push(c);
      size += c.length;
      if (resetAfter !== undefined && size >= resetAfter) {
        req.pause();
        finish();
      }
    });
    req.on('end', finish);
    const fail = (e: Error) => {
      if (!settled) {
        settled = true;
        reject(e);
      }
    };
    req.on('error', fail);
    // A client that vanished mid-body must never have its partial bytes taken as complete.
    req.on('close', () => fail(new Error('client closed the connection mid-request')));
  });
}

function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const v = JSON.parse(body.toString('utf8'));
    return v && typeof v === 'object' ? v : {};
  } catch {
    throw new GcsApiError(400, 'parseError', 'Parse Error');
  }
}

/** The object's bytes (or the requested range); `cut`: drop the connection halfway through them. */
function sendMedia(req: IncomingMessage, res: ServerResponse, obj: ObjectRecord, cut = false) {
  const send = (bytes: Buffer) => {
    if (!cut || bytes.length < 2) return res.end(bytes);
    res.write(bytes.subarray(0, bytes.length >> 1), () => res.socket?.destroy());
  };
  const size = obj.data.length;
  const headers: Record<string, string> = {
    'Content-Type': obj.contentType,
    'Accept-Ranges': 'bytes',
    ETag: `"${etag(obj)}"`,
    'x-goog-generation': String(obj.generation),
    'x-goog-metageneration': String(obj.metageneration),
    'x-goog-stored-content-length': String(size),
    'x-goog-stored-content-encoding': 'identity',
    'x-goog-hash': `crc32c=${obj.crc32c},md5=${obj.md5Hash}`,
  };
  const range = req.headers.range;
  const m = range ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null;
  if (m && (m[1] !== '' || m[2] !== '')) {
    let start: number;
    let end: number;
    if (m[1] === '') {
      start = Math.max(0, size - Number(m[2]));
      end = size - 1;
    } else {
      start = Number(m[1]);
      end = m[2] === '' ? size - 1 : Math.min(size - 1, Number(m[2]));
    }
    if (start >= size && size > 0) {
      throw new GcsApiError(416, 'requestedRangeNotSatisfiable', 'The requested range cannot be satisfied.');
    }
    res.writeHead(206, {
      ...headers,
      'Content-Range': `bytes ${start}-${end}/${size}`,
      'Content-Length': end - start + 1,
    });
    send(obj.data.subarray(start, end + 1));
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': size });
  send(obj.data);
}

function sendIncomplete(res: ServerResponse, received: number) {
  const headers: Record<string, string | number> = { 'Content-Length': 0 };
  if (received > 0) headers.Range = `bytes=0-${received - 1}`;
  res.writeHead(308, headers);
  res.end();
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendEmpty(res: ServerResponse, status: number) {
  res.writeHead(status, { 'Content-Length': 0 });
  res.end();
}

/** Errors in GCS's JSON shape: {error: {code, message, errors: [{domain, reason, message}]}}. */
function sendError(res: ServerResponse, err: unknown) {
  if (res.headersSent || res.destroyed) return;
  const e =
    err instanceof GcsApiError
      ? err
      : new GcsApiError(500, 'backendError', err instanceof Error ? err.message : String(err));
  sendJson(res, e.status, {
    error: { code: e.status, message: e.message, errors: [{ domain: 'global', reason: e.reason, message: e.message }] },
  });
}

function etag(obj: ObjectRecord): string {
  return Buffer.from(`${obj.generation}:${obj.metageneration}`).toString('base64');
}

function bucketResource(b: BucketRecord, base: string) {
  return {
    kind: 'storage#bucket',
    id: b.name,
    selfLink: `${base}/storage/v1/b/${b.name}`,
    projectNumber: '0',
    name: b.name,
    timeCreated: b.timeCreated,
    updated: b.timeCreated,
    metageneration: '1',
    location: b.location,
    locationType: 'region',
    storageClass: b.storageClass,
    etag: 'CAE=',
    iamConfiguration: {
      uniformBucketLevelAccess: { enabled: b.uniformBucketLevelAccess },
      bucketPolicyOnly: { enabled: b.uniformBucketLevelAccess },
      publicAccessPrevention: b.publicAccessPrevention,
    },
  };
}

function objectResource(o: ObjectRecord, base: string) {
  const enc = encodeURIComponent(o.name);
  return {
    kind: 'storage#object',
    id: `${o.bucket}/${o.name}/${o.generation}`,
    selfLink: `${base}/storage/v1/b/${o.bucket}/o/${enc}`,
    mediaLink: `${base}/download/storage/v1/b/${o.bucket}/o/${enc}?generation=${o.generation}&alt=media`,
    name: o.name,
    bucket: o.bucket,
    generation: String(o.generation),
    metageneration: String(o.metageneration),
    contentType: o.contentType,
    storageClass: o.storageClass,
    size: String(o.data.length),
    md5Hash: o.md5Hash,
    crc32c: o.crc32c,
    etag: etag(o),
    timeCreated: o.timeCreated,
    updated: o.timeCreated,
    timeStorageClassUpdated: o.timeCreated,
    ...(o.metadata ? { metadata: o.metadata } : {}),
  };
}
