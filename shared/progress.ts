/**
 * A progress line for long work: count, rate, ETA. Drawn on stderr only when it
 * is a TTY (or when forced with --verbose, as plain periodic lines), so logs and
 * pipes stay clean.
 */
import { formatBytes, formatCount, formatDuration } from './format.ts';

export interface ProgressOptions {
  label: string;
  total?: number;
  unit?: string;
  /** Default: stderr is a TTY. */
  enabled?: boolean;
  /** Plain lines every few seconds instead of a redrawn bar (non-TTY --verbose). */
  plain?: boolean;
  stream?: NodeJS.WriteStream;
}

export interface Progress {
  /** Add `n` units (and optionally bytes) of completed work. */
  add(n: number, bytes?: number): void;
  /** Set the absolute amount of completed work. */
  set(done: number, bytes?: number): void;
  finish(): void;
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const enabled = opts.enabled ?? stream.isTTY === true;
  const plain = opts.plain ?? stream.isTTY !== true;
  const unit = opts.unit ?? '';
  const start = performance.now();
  let done = 0;
  let bytes = 0;
  let lastDraw = Number.NEGATIVE_INFINITY; // the first update draws at once
  const interval = plain ? 5000 : 100;

  const draw = (final: boolean) => {
    const now = performance.now();
    if (!final && now - lastDraw < interval) return;
    lastDraw = now;
    const secs = (now - start) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    let line = `${opts.label} ${formatCount(done)}`;
    if (opts.total) {
      const frac = Math.min(1, done / opts.total);
      const width = 24;
      const filled = Math.round(frac * width);
      line = `${opts.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${formatCount(done)}/${formatCount(opts.total)}`;
    }
    line += ` ${unit} ${formatCount(Math.round(rate))} ${unit}/s`;
    if (bytes > 0) line += ` ${formatBytes(bytes)} ${formatBytes(secs > 0 ? bytes / secs : 0)}/s`;
    if (opts.total && rate > 0 && !final) line += ` ETA ${formatDuration((opts.total - done) / rate)}`;
    if (plain) stream.write(`${line}\n`);
    else stream.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
  };

  if (!enabled) return { add() {}, set() {}, finish() {} };
  return {
    add(n, b = 0) {
      done += n;
      bytes += b;
      draw(false);
    },
    set(d, b) {
      done = d;
      if (b !== undefined) bytes = b;
      draw(false);
    },
    finish() {
      draw(true);
    },
  };
}
