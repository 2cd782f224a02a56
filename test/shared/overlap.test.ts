/** The one overlap check every writing command uses: where places really are, and how they relate. */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OverlapError } from '../../shared/errors.ts';
import { canonicalPlace, refuseOverlap, relationOf, skipsHidden } from '../../shared/overlap.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-overlap-');

const rel = (a: string, b: string) => relationOf(canonicalPlace(a), canonicalPlace(b));

describe('canonicalPlace / relationOf', () => {
  it('normalises relative paths, trailing slashes, . and .. segments', () => {
    const dir = join(tmp(), 'a', 'b');
    mkdirSync(dir, { recursive: true });
    expect(rel(`${dir}/`, dir)).toBe('same');
    expect(rel(`./${relative(process.cwd(), dir)}`, dir)).toBe('same');
    expect(rel(join(dir, '..', 'b', '.', 'c'), dir)).toBe('inside');
    expect(rel(join(tmp(), 'a'), dir)).toBe('contains');
    expect(rel(join(tmp(), 'a', 'bb'), dir)).toBeUndefined();
  });

  it('resolves symlinks in the part that exists, and keeps the part that does not', () => {
    const real = join(tmp(), 'real');
    mkdirSync(join(real, 'in'), { recursive: true });
    symlinkSync(real, join(tmp(), 'link'));
    expect(rel(join(tmp(), 'link'), real)).toBe('same');
    expect(rel(join(tmp(), 'link', 'in', 'not', 'yet'), join(real, 'in'))).toBe('inside');
    expect(canonicalPlace(join(tmp(), 'link', 'new')).display).toBe(join(canonicalPlace(real).display, 'new'));
  });

  it('refuses a place that overlaps through a symlink followed by ..: the kernel resolves the link first', () => {
    const base = join(tmp(), 'dotdot');
    mkdirSync(join(base, 'in', 'sub'), { recursive: true });
    mkdirSync(join(base, 'x'));
    mkdirSync(join(base, 'elsewhere', 'deep'), { recursive: true });
    symlinkSync(join(base, 'in', 'sub'), join(base, 'x', 'l'));
    symlinkSync(join(base, 'elsewhere', 'deep'), join(base, 'in', 'l2'));
    const input = { path: join(base, 'in'), role: 'input' };
    // Written as typed (not path.join, which would drop `l/..`): x/l/.. is in/ for the kernel, x/ as text.
    expect(() => refuseOverlap({ outputs: [{ path: `${base}/x/l/../out`, role: '-o' }], inputs: [input] })).toThrow(
      OverlapError,
    );
    // And the other way round: as text in/l2/.. is in/ itself, whatever the kernel makes of it.
    expect(() => refuseOverlap({ outputs: [{ path: `${base}/in/l2/..`, role: '-o' }], inputs: [input] })).toThrow(
      OverlapError,
    );
    expect(() => refuseOverlap({ outputs: [{ path: `${base}/x/out`, role: '-o' }], inputs: [input] })).not.toThrow();
  });

  it('compares gs:// addresses by bucket and prefix segments', () => {
    expect(rel('gs://bkt/landing/archive/', 'gs://bkt/landing')).toBe('inside');
    expect(rel('gs://bkt//landing', 'gs://bkt/landing/')).toBe('same');
    expect(rel('gs://bkt/landing-archive', 'gs://bkt/landing')).toBeUndefined();
    expect(rel('gs://bkt', 'gs://bkt/x')).toBe('contains');
    expect(rel('gs://other/landing', 'gs://bkt/landing')).toBeUndefined();
    expect(rel('gs://bkt/landing', join(tmp(), 'b', 'landing'))).toBeUndefined();
  });

  it('folds case when either place is on a case-insensitive filesystem', () => {
    const a = { root: '/', segments: ['Data', 'Lake'], caseInsensitive: true, display: '/Data/Lake' };
    const b = { root: '/', segments: ['data', 'lake', 'x'], caseInsensitive: false, display: '/data/lake/x' };
    expect(relationOf(a, b)).toBe('contains');
    expect(relationOf({ ...a, caseInsensitive: false }, b)).toBeUndefined();
  });
});

describe('refuseOverlap', () => {
  it('names the output, the input, and how they overlap', () => {
    const input = join(tmp(), 'in');
    mkdirSync(input, { recursive: true });
    writeFileSync(join(input, 'a.csv'), 'x');
    const err = (() => {
      try {
        refuseOverlap({
          outputs: [{ path: join(input, 'out'), role: 'output folder' }],
          inputs: [{ path: input, role: 'input' }],
        });
      } catch (e) {
        return e as OverlapError;
      }
    })();
    expect(err).toBeInstanceOf(OverlapError);
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toContain(`output folder ${join(input, 'out')} is inside input ${input}`);
    expect(err?.message).toMatch(/choose another place for the output folder$/);
    expect(err?.context).toMatchObject({ output: join(input, 'out'), input });
  });

  it('refuses outputs that overlap each other; allows an output where the input’s reader never looks', () => {
    expect(() =>
      refuseOverlap({
        outputs: [
          { path: join(tmp(), 'x', 'archive'), role: '--archive' },
          { path: join(tmp(), 'x', 'archive', 'bad'), role: '--rejected' },
        ],
        inputs: [],
      }),
    ).toThrow(/--archive .* contains --rejected/);
    const landing = join(tmp(), 'landing');
    const refuse = (out: string) => () =>
      refuseOverlap({
        outputs: [{ path: out, role: '--archive' }],
        inputs: [{ path: landing, role: '--source', skips: skipsHidden }],
      });
    expect(refuse(join(landing, '_archive'))).not.toThrow();
    expect(refuse(join(landing, 'day1', '.archive'))).not.toThrow();
    expect(refuse(join(landing, 'archive'))).toThrow(OverlapError);
    expect(refuse(landing)).toThrow(OverlapError); // the same place is never skipped
  });

  it('names an output over an input before outputs over each other, and says "the" once', () => {
    const landing = join(tmp(), 'order', 'landing');
    // The warehouse given as the landing folder also holds the rejected area inside it.
    expect(() =>
      refuseOverlap({
        outputs: [
          { path: join(landing, '_rejected'), role: 'rejected area' },
          { path: landing, role: 'the warehouse' },
        ],
        inputs: [{ path: landing, role: '--source', skips: skipsHidden }],
      }),
    ).toThrow(`the warehouse ${landing} is the same place as --source ${landing}: `);
    expect(() =>
      refuseOverlap({
        outputs: [{ path: join(landing, 'w.duckdb'), role: 'the warehouse' }],
        inputs: [{ path: landing, role: 'source' }],
      }),
    ).toThrow(/choose another place for the warehouse$/);
  });
});
