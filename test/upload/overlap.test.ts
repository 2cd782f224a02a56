/** upload to a local "bucket" folder never writes over, around or inside what it uploads. */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OverlapError } from '../../shared/errors.ts';
import { upload } from '../../upload/index.ts';
import { runSalesflow } from '../util/cli.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-upload-overlap-');

function lake(name: string): { root: string; src: string; listing: () => string[] } {
  const root = join(tmp(), name);
  const src = join(root, 'lake');
  mkdirSync(join(src, 'sales_region=North'), { recursive: true });
  writeFileSync(join(src, 'sales_region=North', 'part-00000.parquet'), 'PAR1…PAR1');
  writeFileSync(join(src, '_SUCCESS'), '');
  const listing = () => readdirSync(root, { recursive: true, encoding: 'utf8' }).sort();
  return { root, src, listing };
}

describe('upload: a local destination that overlaps the source', () => {
  it.each([
    ['DEST = SRC', (l: ReturnType<typeof lake>) => ({ src: l.src, dest: l.src })],
    ['DEST inside SRC', (l: ReturnType<typeof lake>) => ({ src: l.src, dest: join(l.src, 'copy') })],
    ['DEST containing SRC', (l: ReturnType<typeof lake>) => ({ src: l.src, dest: l.root })],
    [
      'DEST + --prefix landing inside SRC',
      (l: ReturnType<typeof lake>) => ({ src: l.src, dest: l.root, prefix: 'lake/again' }),
    ],
    ['a file SRC into its own folder', (l: ReturnType<typeof lake>) => ({ src: join(l.src, '_SUCCESS'), dest: l.src })],
    [
      'DEST through a symlink to SRC',
      (l: ReturnType<typeof lake>) => {
        symlinkSync(l.src, join(l.root, 'alias'));
        return { src: l.src, dest: join(l.root, 'alias', 'x') };
      },
    ],
  ])('%s: refused (exit 2), nothing written', async (name, make) => {
    const l = lake(name.replace(/\W+/g, '-'));
    const { src, dest, prefix } = make(l) as { src: string; dest: string; prefix?: string };
    const before = l.listing();
    const err = await upload({ src, dest, prefix }).catch((e) => e);
    expect(err).toBeInstanceOf(OverlapError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(src);
    expect(l.listing()).toEqual(before);
  });

  it('the CLI exits 2 naming both', async () => {
    const l = lake('cli');
    const res = await runSalesflow(['upload', l.src, join(l.src, 'copy')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`is inside SRC ${l.src}`);
    expect(readFileSync(join(l.src, 'sales_region=North', 'part-00000.parquet'), 'utf8')).toBe('PAR1…PAR1');
  });
});
