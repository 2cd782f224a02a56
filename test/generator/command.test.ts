/** `salesflow gen` through the real binary: flags, exit codes, messages. */
import { existsSync, lstatSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSalesflow } from '../util/cli.ts';
import { useTempDir } from '../util/tmp.ts';
import { sha256File } from './helpers.ts';

const tmp = useTempDir('salesflow-gen-cli-');

describe('salesflow gen', () => {
  it('generates, prints its summary on stdout, and is identical for 1 and 2 workers', async () => {
    const a = join(tmp(), 'a.csv');
    const b = join(tmp(), 'b.csv');
    // Not a TTY and no --verbose: no progress, but the summary still says what was written (for scripts).
    const ra = await runSalesflow(['gen', '-n', '20k', '-b', '7k', '-o', a, '-w', '1']);
    expect(ra.code).toBe(0);
    expect(ra.stdout).toMatch(/^gen: 20\.0k rows, .* rows\/s, 1 workers\) → .*a\.csv\n$/);
    expect(ra.stderr).toBe('');
    // --verbose adds progress lines on stderr; stdout keeps only the summary.
    const rb = await runSalesflow(['gen', '-n', '20000', '-b', '7000', '--out', b, '--workers', '2', '-v']);
    expect(rb.code).toBe(0);
    expect(rb.stdout).toMatch(/^gen: 20\.0k rows, .* 2 workers\) → .*b\.csv\n$/);
    expect(rb.stderr).toMatch(/^gen \[#+-*\] +\d+% /m);
    expect(rb.stderr).not.toContain('rows/s, 2 workers');
    expect(sha256File(a)).toBe(sha256File(b));
    expect(readFileSync(a, 'utf8').split('\n')).toHaveLength(20_002);
  });

  it('--quiet prints nothing, even with --verbose', async () => {
    const res = await runSalesflow(['gen', '-n', '1k', '-o', join(tmp(), 'q.csv'), '-w', '0', '-q', '-v']);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe('');
    expect(existsSync(join(tmp(), 'q.csv'))).toBe(true);
  });

  it('refuses an existing output without -f (exit 2), replaces it with -f', async () => {
    const out = join(tmp(), 'exists.csv');
    writeFileSync(out, 'keep me\n');
    const refused = await runSalesflow(['gen', '-n', '10', '-o', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('already exists; use -f/--force');
    expect(readFileSync(out, 'utf8')).toBe('keep me\n');
    const forced = await runSalesflow(['gen', '-n', '10', '-o', out, '-f']);
    expect(forced.code).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n')).toHaveLength(12);
  });

  it.each([
    [['-n', 'lots'], /--rows must be a whole number .* got "lots"/],
    // The value as typed, never the number it was parsed or rounded to.
    [['--seed', '1.5'], /--seed must be a whole number from 0 to 9007199254740991 .*got "1\.5"/],
    [['--seed', '99999999999999999999'], /--seed must be a whole number from 0 .*got "99999999999999999999"/],
    [
      ['--start-date', '2025-06-01', '--end-date', '2025-01-01'],
      /--start-date 2025-06-01 is after --end-date 2025-01-01/,
    ],
    [['--end-date', '2025-02-30'], /--end-date "2025-02-30" is not a valid date \(expected YYYY-MM-DD\)/],
    [['--bogus'], /Unknown argument: bogus/],
  ])('%j → exit 2 with a message naming the flag', async (args, message) => {
    const out = join(tmp(), 'never.csv');
    const res = await runSalesflow(['gen', ...args, '-o', out]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('reports an unreadable --domains file with its path (exit 1)', async () => {
    const res = await runSalesflow([
      'gen',
      '-n',
      '10',
      '-o',
      join(tmp(), 'd.csv'),
      '--domains',
      join(tmp(), 'missing.json'),
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/missing\.json.*cannot read domains file/);
  });

  it.each([
    // What root cannot write either: a temp sibling name past NAME_MAX, a folder under a regular file, /proc.
    ['a name too long for its temp sibling', () => join(tmp(), `${'n'.repeat(240)}.csv`)],
    ['a folder that is a regular file', () => join(tmp(), 'a-file', 'x.csv')],
    ['a path under /proc', () => '/proc/salesflow-gen-test/x.csv'],
    ['a folder behind a dangling symlink', () => join(tmp(), 'dangling', 'out', 'x.csv')],
  ])('an unwritable output (%s) exits 1 promptly with workers, naming the path', async (_what, outPath) => {
    writeFileSync(join(tmp(), 'a-file'), 'not a folder\n');
    if (!lstatSync(join(tmp(), 'dangling'), { throwIfNoEntry: false })) {
      symlinkSync(join(tmp(), 'nowhere'), join(tmp(), 'dangling'));
    }
    const out = outPath();
    const started = performance.now();
    // The CLI helper kills the child after timeoutMs: a hang shows up as a null exit code.
    const res = await runSalesflow(['gen', '-n', '100k', '-w', '2', '-o', out], { timeoutMs: 20_000 });
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toContain(`cannot write ${out}`);
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(existsSync(out)).toBe(false);
  });

  it('--help teaches with examples', async () => {
    const res = await runSalesflow(['gen', '--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Examples:');
    expect(res.stdout).toContain('--dimensions');
  });
});
