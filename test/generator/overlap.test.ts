/**
 * gen never replaces what is not a previous gen output, and never writes over
 * its own input (--domains) or one output over another (--dimensions).
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSales } from '../../generator/index.ts';
import { ConflictError, OverlapError } from '../../shared/errors.ts';
import { DEFAULT_DOMAINS } from '../../shared/schema/index.ts';
import { runSalesflow } from '../util/cli.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-gen-overlap-');

function folderWithFiles(name: string): string {
  const dir = join(tmp(), name);
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'keep.txt'), 'precious');
  writeFileSync(join(dir, 'sub', 'more.txt'), 'also precious');
  return dir;
}

describe('gen: outputs that overlap inputs or other outputs', () => {
  it('-o EXISTING_FOLDER -f is refused (exit 2) and the folder is untouched', async () => {
    const dir = folderWithFiles('existing');
    const err = await generateSales({ rows: 100, workers: 0, out: dir, force: true }).catch((e) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/--force replaces only a file/);
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('precious');
    expect(readFileSync(join(dir, 'sub', 'more.txt'), 'utf8')).toBe('also precious');
    // An empty folder is not a file either.
    const empty = join(tmp(), 'empty');
    mkdirSync(empty);
    await expect(generateSales({ rows: 100, workers: 0, out: empty, force: true })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(statSync(empty).isDirectory()).toBe(true);
  });

  it('-o the --domains file is refused, naming both', async () => {
    const domains = join(tmp(), 'domains.json');
    const text = JSON.stringify(DEFAULT_DOMAINS);
    writeFileSync(domains, text);
    const err = await generateSales({
      rows: 100,
      workers: 0,
      out: domains,
      force: true,
      domains: DEFAULT_DOMAINS,
      domainsFile: domains,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(OverlapError);
    expect(err.message).toContain(domains);
    expect(err.message).toContain('--domains');
    expect(readFileSync(domains, 'utf8')).toBe(text);
  });

  it('--dimensions: the fact file may not be a dimension file, nor a dimension file a folder', async () => {
    const dir = join(tmp(), 'dims');
    mkdirSync(dir);
    const err = await generateSales({
      rows: 100,
      customers: 10,
      workers: 0,
      out: join(dir, 'customers.csv'),
      dimensions: true,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(OverlapError);
    expect(readdirSync(dir)).toEqual([]);
    const folder = folderWithFiles(join('dims2', 'products.csv'));
    await expect(
      generateSales({
        rows: 100,
        customers: 10,
        workers: 0,
        out: join(tmp(), 'dims2', 'sales.csv'),
        dimensions: true,
        force: true,
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(readFileSync(join(folder, 'keep.txt'), 'utf8')).toBe('precious');
    expect(readdirSync(join(tmp(), 'dims2'))).toEqual(['products.csv']);
  });

  it('the CLI: gen -o DIR -f and gen -o FILE --domains FILE exit 2', async () => {
    const dir = folderWithFiles('cli');
    const res = await runSalesflow(['gen', '-n', '10', '-o', dir, '-f']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(dir);
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('precious');
    const domains = join(tmp(), 'cli-domains.json');
    writeFileSync(domains, '{}');
    const same = await runSalesflow(['gen', '-n', '10', '-o', domains, '--domains', domains, '-f']);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/is the same place as --domains file/);
    expect(readFileSync(domains, 'utf8')).toBe('{}');
  });
});
