/**
 * Keeps over-long lines from being held whole. Bytes pass through a LineLimiter
 * in order; of a line longer than MAX_LINE_BYTES only the first
 * MAX_LINE_BYTES + 1 bytes go on (enough for the parser to see it is too long
 * and reject it as one row, with the line count intact), the rest is dropped up
 * to its line break. Only the first and last line break of each piece are
 * looked at: lines inside a piece are bounded by the piece, and the parser
 * judges their length itself.
 */
import { MAX_LINE_BYTES } from '../shared/schema/index.ts';

const NL = 0x0a;

export class LineLimiter {
  private readonly keep: number;
  /** Length of the line in progress (bytes seen, kept or not). */
  private lineLength = 0;

  constructor(maxLineBytes = MAX_LINE_BYTES) {
    this.keep = maxLineBytes + 1;
  }

  /** The bytes of `piece` to pass on: `piece` itself unless a line in progress runs past the limit. */
  cut(piece: Uint8Array): Uint8Array {
    const first = piece.indexOf(NL);
    if (first < 0) {
      const take = clamp(this.keep - this.lineLength, piece.length);
      this.lineLength += piece.length;
      return take === piece.length ? piece : piece.subarray(0, take);
    }
    const last = piece.lastIndexOf(NL);
    const headTake = clamp(this.keep - this.lineLength, first);
    const tailLength = piece.length - last - 1;
    const tailTake = clamp(this.keep, tailLength);
    this.lineLength = tailLength;
    if (headTake === first && tailTake === tailLength) return piece;
    const head = piece.subarray(0, headTake);
    const rest = piece.subarray(first, last + 1 + tailTake);
    const out = new Uint8Array(head.length + rest.length);
    out.set(head, 0);
    out.set(rest, head.length);
    return out;
  }
}

function clamp(room: number, length: number): number {
  return Math.max(0, Math.min(room, length));
}
