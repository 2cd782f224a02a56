/**
 * An output may never overlap an input: writing where the input is (or around
 * it, or inside it) can replace, delete or re-read the very data being
 * processed. Every command that writes asks `refuseOverlap` first, before any
 * byte is written, with every output it will write and every input it reads.
 *
 * Places are compared where they really are, not as typed: local paths are
 * made absolute, symlinks in the part that exists are resolved (realpath), the
 * part that does not exist yet is appended as written, trailing slashes and
 * `.`/`..` segments are normalised, and on a case-insensitive filesystem names
 * compare without case. A `..` after a symlink means two places — the text's
 * parent (`path.resolve`, what the object store uses) and the link target's
 * parent (what the kernel opens) — so such a path is compared as both. `gs://bucket/prefix` addresses compare by bucket and
 * prefix segments (`gs://b/landing-x` is not inside `gs://b/landing`).
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, sep } from 'node:path';
import { OverlapError } from './errors.ts';
import { parseLocation } from './storage/location.ts';

/** A place a command reads or writes, with what it is for the message ("input", "--archive", …). */
export interface Place {
  path: string;
  role: string;
}

export interface InputPlace extends Place {
  /**
   * Paths under this input (relative segments) that its reader never reads:
   * an output there does not overlap it. E.g. hidden and `_`-prefixed folders
   * of a landing area the batch pipeline skips.
   */
  skips?: (relative: readonly string[]) => boolean;
}

/** Where a place really is: a root (`/` or `gs://bucket`) and the segments under it. */
export interface CanonicalPlace {
  root: string;
  segments: string[];
  /** Names compare without case (a case-insensitive filesystem). */
  caseInsensitive: boolean;
  /** For messages: the resolved form. */
  display: string;
}

export function canonicalPlace(path: string): CanonicalPlace {
  const loc = parseLocation(path);
  if (loc.kind === 'gcs') {
    const segments = loc.prefix.split('/').filter((s) => s !== '' && s !== '.');
    return { root: `gs://${loc.bucket}`, segments, caseInsensitive: false, display: path };
  }
  // parseLocation resolved it to an absolute path (lexically: `.`, `..`, trailing slashes).
  return localPlace(loc.root);
}

/**
 * Every place a path can mean: its canonicalPlace, and, when a `..` follows a
 * symlink, the place the kernel reaches by resolving the link before the `..`.
 */
export function canonicalPlaces(path: string): CanonicalPlace[] {
  const lexical = canonicalPlace(path);
  if (lexical.root !== sep) return [lexical];
  const kernel = localPlace(kernelPath(path));
  return kernel.display === lexical.display ? [lexical] : [lexical, kernel];
}

/** The path as the kernel walks it: each existing prefix's symlinks resolved before the next segment (`..` included). */
function kernelPath(path: string): string {
  const text = path.startsWith('file://') ? new URL(path).pathname : path;
  const absolute = isAbsolute(text) ? text : `${process.cwd()}${sep}${text}`;
  let current: string = sep;
  for (const segment of absolute.split(sep)) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      current = dirname(current);
      continue;
    }
    current = join(current, segment);
    try {
      current = realpathSync.native(current);
    } catch {
      // Not there (yet), or unreadable: kept as written.
    }
  }
  return current;
}

function localPlace(absolute: string): CanonicalPlace {
  let existing = absolute;
  const tail: string[] = [];
  while (!existsSync(existing) && dirname(existing) !== existing) {
    tail.unshift(basename(existing));
    existing = dirname(existing);
  }
  let real = existing;
  try {
    real = realpathSync.native(existing);
  } catch {
    // A dangling link or an unreadable folder: compare it as written.
  }
  const full = tail.length > 0 ? join(real, ...tail) : real;
  return {
    root: sep,
    segments: full.split(sep).filter(Boolean),
    caseInsensitive: caseInsensitiveAt(real),
    display: full,
  };
}

/**
 * Does the filesystem holding `dir` ignore case? Probed on the path itself: the
 * same path with its last name's case swapped names the same file.
 */
function caseInsensitiveAt(path: string): boolean {
  const name = basename(path);
  const swapped = [...name].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
  if (swapped === name) return false;
  try {
    const a = statSync(path);
    const b = statSync(join(dirname(path), swapped));
    return a.ino === b.ino && a.dev === b.dev;
  } catch {
    return false;
  }
}

export type Relation = 'same' | 'inside' | 'contains';

/** How `a` relates to `b`: the same place, inside it, containing it, or apart (undefined). */
export function relationOf(a: CanonicalPlace, b: CanonicalPlace): Relation | undefined {
  if (a.root !== b.root) return undefined;
  const fold = a.caseInsensitive || b.caseInsensitive;
  const eq = (x: string, y: string) => (fold ? x.toLowerCase() === y.toLowerCase() : x === y);
  const n = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) if (!eq(a.segments[i], b.segments[i])) return undefined;
  if (a.segments.length === b.segments.length) return 'same';
  return a.segments.length > b.segments.length ? 'inside' : 'contains';
}

function describe(p: Place, c: CanonicalPlace): string {
  const resolved = c.display !== p.path && !c.display.endsWith(p.path.replace(/\/+$/, '')) ? ` (${c.display})` : '';
  return `${p.role} ${p.path}${resolved}`;
}

function overlapError(out: Place, oc: CanonicalPlace, other: Place, ic: CanonicalPlace, rel: Relation) {
  const how = rel === 'same' ? 'is the same place as' : rel === 'inside' ? 'is inside' : 'contains';
  return new OverlapError(
    `${describe(out, oc)} ${how} ${describe(other, ic)}: writing there could overwrite, delete or re-read it; ` +
      `choose another place for ${out.role.startsWith('the ') ? out.role : `the ${out.role}`}`,
    { file: out.path, output: out.path, input: other.path },
  );
}

/**
 * Throw an OverlapError (exit 2, naming both places) when an output is, contains
 * or is inside an input, or another output. Call it before writing anything.
 */
export function refuseOverlap(opts: { outputs: readonly Place[]; inputs: readonly InputPlace[] }): void {
  const outs = opts.outputs.flatMap((p) => canonicalPlaces(p.path).map((c) => ({ p, c })));
  const ins = opts.inputs.flatMap((p) => canonicalPlaces(p.path).map((c) => ({ p, c })));
  // Every output against the inputs first: an output over an input is the error to name, even when
  // it also overlaps another output (a warehouse given as the landing folder holds the rejected area too).
  for (const o of outs) {
    for (const input of ins) {
      const rel = relationOf(o.c, input.c);
      if (rel === undefined) continue;
      if (rel === 'inside' && input.p.skips?.(o.c.segments.slice(input.c.segments.length))) continue;
      throw overlapError(o.p, o.c, input.p, input.c, rel);
    }
  }
  for (const [i, o] of outs.entries()) {
    for (const other of outs.slice(i + 1)) {
      if (other.p === o.p) continue;
      const rel = relationOf(o.c, other.c);
      if (rel !== undefined) throw overlapError(o.p, o.c, other.p, other.c, rel);
    }
  }
}

/** Hidden (`.`) and `_`-prefixed names: bookkeeping that data readers skip (Hive/Spark convention). */
export function isHiddenName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_');
}

/** For InputPlace.skips: a reader that skips anything under a hidden or `_` folder. */
export const skipsHidden = (relative: readonly string[]): boolean => relative.some(isHiddenName);
