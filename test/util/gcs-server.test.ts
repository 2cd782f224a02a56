/**
 * Fidelity of the GCS test server at the wire level (raw HTTP, so the protocol
 * itself is pinned down, not just what one client happens to send).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32cOf } from '../../shared/storage/index.ts';
import { type GcsServer, startGcsServer } from './gcs-server/index.ts';
import { parseMultipartRelated } from './multipart.ts';

let server: GcsServer;
beforeAll(async () => {
  server = await startGcsServer();
  server.state.createBucket({ name: 'wire' });
});
afterAll(async () => {
  await server.stop();
});

const api = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);

describe('GCS JSON API test server', () => {
  it('resumable sessions: 308 with Range per chunk, status query, final 200 with checksums', async () => {
    const init = await api('/upload/storage/v1/b/wire/o?uploadType=resumable&name=big%2Fobj.bin', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Upload-Content-Type': 'application/octet-stream' },
      body: JSON.stringify({ metadata: { origin: 'test' } }),
    });
    expect(init.status).toBe(200);
    const session = init.headers.get('location')!;
    expect(session).toMatch(/upload_id=/);

    const data = Buffer.alloc(600 * 1024).map((_, i) => i % 253);
    const first = await fetch(session, {
      method: 'PUT',
      headers: { 'Content-Range': `bytes 0-${256 * 1024 - 1}/*` },
      body: data.subarray(0, 256 * 1024),
    });
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe(`bytes=0-${256 * 1024 - 1}`);

    const status = await fetch(session, { method: 'PUT', headers: { 'Content-Range': 'bytes */*' } });
    expect(status.status).toBe(308);
    expect(status.headers.get('range')).toBe(`bytes=0-${256 * 1024 - 1}`);

    // Overlapping resend (client unsure what landed): the server keeps each byte once.
    const last = await fetch(session, {
      method: 'PUT',
      headers: { 'Content-Range': `bytes ${200 * 1024}-${data.length - 1}/${data.length}` },
      body: data.subarray(200 * 1024),
    });
    expect(last.status).toBe(200);
    const meta = (await last.json()) as { metadata?: unknown };
    expect(meta).toMatchObject({ name: 'big/obj.bin', size: String(data.length), crc32c: crc32cOf(data) });
    expect(meta.metadata).toEqual({ origin: 'test' });
    expect(server.readObject('wire', 'big/obj.bin')?.equals(data)).toBe(true);
  });

  it('downloads with ranges and x-goog-hash; lists with prefix, delimiter and pages', async () => {
    for (const n of ['p/a', 'p/b', 'p/c/1', 'p/c/2', 'p/d', 'q']) {
      await api(`/upload/storage/v1/b/wire/o?uploadType=media&name=${encodeURIComponent(n)}`, {
        method: 'POST',
        body: n,
      });
    }
    const full = await api('/storage/v1/b/wire/o/p%2Fc%2F1?alt=media');
    const body = Buffer.from('p/c/1');
    expect(full.headers.get('x-goog-hash')).toBe(
      `crc32c=${crc32cOf(body)},md5=${createHash('md5').update(body).digest('base64')}`,
    );
    expect(Buffer.from(await full.arrayBuffer()).equals(body)).toBe(true);
    const part = await api('/storage/v1/b/wire/o/p%2Fc%2F1?alt=media', { headers: { Range: 'bytes=2-3' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 2-3/5');
    expect(await part.text()).toBe('c/');

    const seen: string[] = [];
    const prefixes: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const res = await api(
        `/storage/v1/b/wire/o?prefix=p%2F&delimiter=%2F&maxResults=2${token ? `&pageToken=${token}` : ''}`,
      );
      const body = (await res.json()) as { items?: { name: string }[]; prefixes?: string[]; nextPageToken?: string };
      seen.push(...(body.items ?? []).map((o) => o.name));
      prefixes.push(...(body.prefixes ?? []));
      token = body.nextPageToken ?? '';
      pages++;
    } while (token);
    expect(seen).toEqual(['p/a', 'p/b', 'p/d']);
    expect(prefixes).toEqual(['p/c/']);
    expect(pages).toBe(2);
  });

  it('preconditions give 412 and errors come in GCS JSON form', async () => {
    const put = (q: string) =>
      api(`/upload/storage/v1/b/wire/o?uploadType=media&name=pc${q}`, { method: 'POST', body: 'x' });
    expect((await put('&ifGenerationMatch=0')).status).toBe(200);
    const again = await put('&ifGenerationMatch=0');
    expect(again.status).toBe(412);
    expect(await again.json()).toEqual({
      error: {
        code: 412,
        message: 'At least one of the pre-conditions you specified did not hold.',
        errors: [
          {
            domain: 'global',
            reason: 'conditionNotMet',
            message: 'At least one of the pre-conditions you specified did not hold.',
          },
        ],
      },
    });
    const missing = await api('/storage/v1/b/no-such-bucket/o/x');
    expect(missing.status).toBe(404);
    const err = (await missing.json()) as { error: { errors: { reason: string }[] } };
    expect(err.error.errors[0].reason).toBe('notFound');
    const badName = await api('/storage/v1/b?project=p', {
      method: 'POST',
      body: JSON.stringify({ name: 'Bad Name' }),
    });
    expect(badName.status).toBe(400);
  });

  it('multipart bodies keep payload bytes that look like line breaks (CRLF and LF bodies)', () => {
    const payload = Buffer.from('a\r\nb\r');
    for (const nl of ['\r\n', '\n']) {
      const body = Buffer.concat([
        Buffer.from(
          `--XX${nl}Content-Type: application/json${nl}${nl}{"name":"n"}${nl}--XX${nl}Content-Type: text/plain${nl}${nl}`,
        ),
        payload,
        Buffer.from(`${nl}--XX--${nl}`),
      ]);
      const parts = parseMultipartRelated("multipart/related; boundary='XX'", body);
      expect(parts.map((p) => p.body.toString('latin1'))).toEqual(['{"name":"n"}', payload.toString('latin1')]);
      expect(parts[1].headers['content-type']).toBe('text/plain');
    }
  });

  it('injects 503s at the configured share, reproducibly by seed', async () => {
    const count = async () => {
      server.setFaults({ error503: 0.3, seed: 9 });
      let failed = 0;
      for (let i = 0; i < 200; i++) if ((await api('/storage/v1/b/wire')).status === 503) failed++;
      server.setFaults(undefined);
      return failed;
    };
    const a = await count();
    expect(a).toBeGreaterThan(40);
    expect(a).toBeLessThan(80);
    expect(await count()).toBe(a);
  });
});

// A second, independent client: gcloud (Python, its own upload and hash-checking code).
const hasGcloud = spawnSync('gcloud', ['--version'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasGcloud)('gcloud storage against the server', () => {
  it('cp -r uploads a folder (gcloud checks our returned hashes) that we store byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'salesflow-gcloud-'));
    try {
      const src = join(dir, 'src');
      mkdirSync(join(src, 'sales_region=North'), { recursive: true });
      // Ends in "\r": gcloud's LF-delimited multipart body once lost that byte here.
      const a = Buffer.concat([Buffer.alloc(70_000).map((_, i) => (i * 31) % 256), Buffer.from('\r')]);
      writeFileSync(join(src, 'sales_region=North', 'part-00000.parquet'), a);
      writeFileSync(join(src, '_SUCCESS'), '');
      // Settings through the environment (no `gcloud config set` runs): anonymous, our endpoint.
      const env = {
        ...process.env,
        CLOUDSDK_CONFIG: join(dir, 'gcloud'),
        CLOUDSDK_AUTH_DISABLE_CREDENTIALS: 'true',
        CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE: `${server.url}/`,
        CLOUDSDK_CORE_PROJECT: 'test',
      };
      // Async: the server runs in this process, a blocking spawn would starve it.
      const res = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn('gcloud', ['storage', 'cp', '-r', src, 'gs://wire/gcloud'], { env });
        let stderr = '';
        child.stderr.on('data', (d) => {
          stderr += d;
        });
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(res.stderr).not.toMatch(/ERROR/);
      expect(res.code).toBe(0);
      expect(server.readObject('wire', 'gcloud/sales_region=North/part-00000.parquet')?.equals(a)).toBe(true);
      expect(server.readObject('wire', 'gcloud/_SUCCESS')?.length).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
