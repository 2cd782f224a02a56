/**
 * to-parquet never writes over, around or inside its input, and --force only
 * replaces an earlier to-parquet output (or an empty folder).
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConflictError, OverlapError } from '../../shared/errors.ts';
import { convertToParquet } from '../../transform/index.ts';
import { runSalesflow } from '../util/cli.ts';
import { sampleRows, writeSalesCsv } from '../util/sales-csv.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-to-parquet-overlap-');

/** A fresh folder `name` holding in/a.csv and in/b.csv; returns its paths. */
function inputs(name: string) {
  const root = join(tmp(), name);
  const dir = join(root, 'in');
  mkdirSync(dir, { recursive: true });
  writeSalesCsv(join(dir, 'a.csv'), sampleRows(50, 1));
  writeSalesCsv(join(dir, 'b.csv'), sampleRows(50, 2));
  const before = {
    a: readFileSync(join(dir, 'a.csv'), 'utf8'),
    b: readFileSync(join(dir, 'b.csv'), 'utf8'),
  };
  const intact = () => {
    expect(readFileSync(join(dir, 'a.csv'), 'utf8')).toBe(before.a);
    expect(readFileSync(join(dir, 'b.csv'), 'utf8')).toBe(before.b);
  };
  return { root, dir, file: join(dir, 'a.csv'), intact };
}

describe('to-parquet: outputs that overlap inputs', { timeout: 120_000 }, () => {
  it.each([
    ['OUTDIR = the input folder', (p: ReturnType<typeof inputs>) => ({ input: p.dir, out: p.dir })],
    ['OUTDIR = the input file', (p: ReturnType<typeof inputs>) => ({ input: p.file, out: p.file })],
    ['OUTDIR = a folder containing the input', (p: ReturnType<typeof inputs>) => ({ input: p.file, out: p.root })],
    ['OUTDIR inside the input folder', (p: ReturnType<typeof inputs>) => ({ input: p.dir, out: join(p.dir, 'lake') })],
    [
      'OUTDIR = the input folder, with a trailing slash and a relative path',
      (p: ReturnType<typeof inputs>) => ({ input: `${p.dir}/`, out: `./${relative(process.cwd(), p.dir)}` }),
    ],
    [
      'OUTDIR = the parent of a glob’s files',
      (p: ReturnType<typeof inputs>) => ({ input: join(p.dir, '*.csv'), out: p.dir }),
    ],
    [
      'OUTDIR = a symlink to the input folder',
      (p: ReturnType<typeof inputs>) => {
        symlinkSync(p.dir, join(p.root, 'link'));
        return { input: p.dir, out: join(p.root, 'link') };
      },
    ],
    [
      'OUTDIR under a symlink that points into the input folder',
      (p: ReturnType<typeof inputs>) => {
        symlinkSync(p.root, join(tmp(), `${p.root.split('/').pop()}-alias`));
        return { input: p.dir, out: join(tmp(), `${p.root.split('/').pop()}-alias`, 'in', 'new-lake') };
      },
    ],
  ])('%s: refused with -f (exit 2, naming both), the input untouched', async (name, make) => {
    const p = inputs(name.replace(/\W+/g, '-'));
    const { input, out } = make(p);
    const err = await convertToParquet({ input, outDir: out, partitionBy: 'region', force: true, workers: 1 }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(OverlapError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(out);
    expect(err.message).toMatch(/input/);
    p.intact();
    expect(readdirSync(p.dir).sort()).toEqual(['a.csv', 'b.csv']);
  });

  it('-f never replaces an unrelated folder; it does replace an empty one or an earlier to-parquet output', async () => {
    const p = inputs('unrelated');
    const other = join(p.root, 'photos');
    mkdirSync(other);
    writeFileSync(join(other, 'cat.jpg'), 'meow');
    const err = await convertToParquet({
      input: p.dir,
      outDir: other,
      partitionBy: 'region',
      force: true,
      workers: 1,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/not a previous output/);
    expect(readFileSync(join(other, 'cat.jpg'), 'utf8')).toBe('meow');

    // A file where the folder should go is not a to-parquet output either.
    const file = join(p.root, 'notes.txt');
    writeFileSync(file, 'keep');
    await expect(
      convertToParquet({ input: p.dir, outDir: file, partitionBy: 'region', force: true, workers: 1 }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(readFileSync(file, 'utf8')).toBe('keep');

    const empty = join(p.root, 'empty');
    mkdirSync(empty);
    const m = await convertToParquet({ input: p.dir, outDir: empty, partitionBy: 'region', force: true, workers: 1 });
    expect(m.rows).toBe(100);
    const again = await convertToParquet({
      input: p.file,
      outDir: empty,
      partitionBy: 'region',
      force: true,
      workers: 1,
    });
    expect(again.rows).toBe(50);
    p.intact();
  });

  it('the CLI exits 2 and names both places', async () => {
    const p = inputs('cli');
    const res = await runSalesflow(['to-parquet', p.dir, '-o', p.dir, '-p', 'region', '-f']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`output folder ${p.dir} is the same place as input ${p.dir}`);
    p.intact();
  });
});
