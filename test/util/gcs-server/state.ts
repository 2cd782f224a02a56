/**
 * The in-memory state of the GCS test server: buckets, live object versions and
 * resumable upload sessions. Knows nothing about HTTP; the server maps its
 * `GcsApiError`s to GCS's JSON error format.
 */
import { randomBytes } from 'node:crypto';
import { type Checksums, checksumsOf } from './checksums.ts';

export class GcsApiError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

export interface BucketRecord {
  name: string;
  location: string;
  storageClass: string;
  uniformBucketLevelAccess: boolean;
  publicAccessPrevention: string;
  timeCreated: string;
  objects: Map<string, ObjectRecord>;
}

export interface ObjectRecord extends Checksums {
  bucket: string;
  name: string;
  data: Buffer;
  generation: number;
  metageneration: number;
  contentType: string;
  storageClass: string;
  metadata?: Record<string, string>;
  timeCreated: string;
}

/** Preconditions as GCS takes them from the query string. */
export interface Preconditions {
  ifGenerationMatch?: number;
  ifGenerationNotMatch?: number;
  ifMetagenerationMatch?: number;
  ifMetagenerationNotMatch?: number;
}

export interface NewObject {
  bucket: string;
  name: string;
  data: Buffer;
  contentType?: string;
  storageClass?: string;
  metadata?: Record<string, string>;
  preconditions?: Preconditions;
  /** Client-sent checksums (metadata or X-Goog-Hash): a mismatch is a 400, as on GCS. */
  expected?: Partial<Checksums>;
}

export interface UploadSession {
  id: string;
  object: Omit<NewObject, 'data'>;
  chunks: Buffer[];
  received: number;
  /** Total size once the client has told us (Content-Range …/N). */
  total?: number;
  done?: ObjectRecord;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;

export class GcsState {
  readonly buckets = new Map<string, BucketRecord>();
  readonly sessions = new Map<string, UploadSession>();
  /** Global generation counter: generations are unique and increasing, like GCS's microsecond stamps. */
  private nextGeneration = Date.now() * 1000;

  createBucket(input: {
    name: string;
    location?: string;
    storageClass?: string;
    uniformBucketLevelAccess?: boolean;
    publicAccessPrevention?: string;
  }): BucketRecord {
    const name = input.name ?? '';
    if (!BUCKET_NAME.test(name) || name.includes('..') || name.startsWith('goog')) {
      throw new GcsApiError(400, 'invalid', `Invalid bucket name: '${name}'`);
    }
    if (this.buckets.has(name)) {
      throw new GcsApiError(
        409,
        'conflict',
        'Your previous request to create the named bucket succeeded and you already own it.',
      );
    }
    const bucket: BucketRecord = {
      name,
      location: (input.location ?? 'US').toUpperCase(),
      storageClass: input.storageClass ?? 'STANDARD',
      uniformBucketLevelAccess: input.uniformBucketLevelAccess ?? false,
      publicAccessPrevention: input.publicAccessPrevention ?? 'inherited',
      timeCreated: new Date().toISOString(),
      objects: new Map(),
    };
    this.buckets.set(name, bucket);
    return bucket;
  }

  bucket(name: string): BucketRecord {
    const b = this.buckets.get(name);
    if (!b) throw new GcsApiError(404, 'notFound', 'The specified bucket does not exist.');
    return b;
  }

  deleteBucket(name: string): void {
    const b = this.bucket(name);
    if (b.objects.size > 0) throw new GcsApiError(409, 'conflict', 'The bucket you tried to delete is not empty.');
    this.buckets.delete(name);
  }

  object(bucket: string, name: string, generation?: number): ObjectRecord {
    const o = this.bucket(bucket).objects.get(name);
    if (!o || (generation !== undefined && o.generation !== generation)) {
      throw new GcsApiError(404, 'notFound', `No such object: ${bucket}/${name}`);
    }
    return o;
  }

  /** Throws 412 (or 304 for NotMatch on reads, which we simplify to 412) when a precondition fails. */
  checkPreconditions(bucket: string, name: string, p: Preconditions | undefined): void {
    if (!p) return;
    const current = this.bucket(bucket).objects.get(name);
    const gen = current?.generation ?? 0;
    const fail = () => {
      throw new GcsApiError(412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.');
    };
    if (p.ifGenerationMatch !== undefined && p.ifGenerationMatch !== gen) fail();
    if (p.ifGenerationNotMatch !== undefined && p.ifGenerationNotMatch === gen) fail();
    if (p.ifMetagenerationMatch !== undefined && p.ifMetagenerationMatch !== (current?.metageneration ?? 0)) fail();
    if (p.ifMetagenerationNotMatch !== undefined && p.ifMetagenerationNotMatch === (current?.metageneration ?? 0))
      fail();
  }

  putObject(input: NewObject): ObjectRecord {
    const bucket = this.bucket(input.bucket);
    if (!input.name) throw new GcsApiError(400, 'required', 'Required: object name');
    this.checkPreconditions(input.bucket, input.name, input.preconditions);
    const sums = checksumsOf(input.data);
    if (input.expected?.crc32c && input.expected.crc32c !== sums.crc32c) {
      throw new GcsApiError(
        400,
        'invalid',
        `Provided CRC32C "${input.expected.crc32c}" doesn't match calculated CRC32C "${sums.crc32c}".`,
      );
    }
    if (input.expected?.md5Hash && input.expected.md5Hash !== sums.md5Hash) {
      throw new GcsApiError(
        400,
        'invalid',
        `Provided MD5 hash "${input.expected.md5Hash}" doesn't match calculated MD5 hash "${sums.md5Hash}".`,
      );
    }
    const record: ObjectRecord = {
      bucket: input.bucket,
      name: input.name,
      data: input.data,
      ...sums,
      generation: ++this.nextGeneration,
      metageneration: 1,
      contentType: input.contentType || 'application/octet-stream',
      storageClass: input.storageClass ?? bucket.storageClass,
      metadata: input.metadata,
      timeCreated: new Date().toISOString(),
    };
    bucket.objects.set(input.name, record);
    return record;
  }

  deleteObject(bucket: string, name: string, p?: Preconditions & { generation?: number }): void {
    this.object(bucket, name, p?.generation);
    this.checkPreconditions(bucket, name, p);
    this.bucket(bucket).objects.delete(name);
  }

  startSession(object: Omit<NewObject, 'data'>, total?: number): UploadSession {
    this.bucket(object.bucket);
    if (!object.name) throw new GcsApiError(400, 'required', 'Required: object name');
    // GCS checks preconditions when the session starts, and again when it completes.
    this.checkPreconditions(object.bucket, object.name, object.preconditions);
    const session: UploadSession = { id: randomBytes(16).toString('hex'), object, chunks: [], received: 0, total };
    this.sessions.set(session.id, session);
    return session;
  }

  session(id: string): UploadSession {
    const s = this.sessions.get(id);
    if (!s) throw new GcsApiError(404, 'notFound', 'No such upload session.');
    return s;
  }

  /** Finalise a session whose bytes are all here. */
  completeSession(s: UploadSession, expected?: Partial<Checksums>): ObjectRecord {
    if (s.done) return s.done;
    const data = Buffer.concat(s.chunks, s.received);
    s.done = this.putObject({ ...s.object, data, expected: { ...s.object.expected, ...expected } });
    s.chunks = [];
    return s.done;
  }

  /** Remove every bucket and session (benchmarks reuse one server across runs). */
  clear(): void {
    this.buckets.clear();
    this.sessions.clear();
  }
}
