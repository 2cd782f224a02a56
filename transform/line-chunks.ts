/**
 * Turn a byte stream into line-aligned chunks of roughly `chunkBytes`, each in
 * its own ArrayBuffer (so it can be transferred to a worker without copying).
 * Every chunk ends right after a '\n' except possibly the last one (a file
 * without a final newline), so chunks can be parsed independently. An
 * over-long line goes on cut short (line-limit.ts), so memory stays bounded and
 * the line is one rejected row.
 */
import { LineLimiter } from './line-limit.ts';

export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

export async function* lineChunks(
  source: AsyncIterable<Uint8Array>,
  opts: { chunkBytes?: number; file?: string } = {},
): AsyncGenerator<Uint8Array> {
  const target = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const limiter = new LineLimiter();
  let parts: Uint8Array[] = [];
  let size = 0;
  for await (const raw of source) {
    const piece = limiter.cut(raw);
    if (piece.length === 0) continue;
    parts.push(piece);
    size += piece.length;
    if (size < target) continue;
    const nl = piece.lastIndexOf(0x0a);
    if (nl < 0) continue;
    const keep = piece.length - (nl + 1);
    const out = concat(parts, size - keep);
    parts = keep > 0 ? [piece.slice(nl + 1)] : [];
    size = keep;
    yield out;
  }
  if (size > 0) yield concat(parts, size);
}

/** The first `n` bytes of the concatenated parts, in a fresh buffer. */
function concat(parts: Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    const take = Math.min(p.length, n - off);
    out.set(take === p.length ? p : p.subarray(0, take), off);
    off += take;
    if (off === n) break;
  }
  return out;
}
