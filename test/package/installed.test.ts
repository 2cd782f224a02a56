/**
 * The published package: `npm pack` (whose prepack builds dist/), installed from the
 * tarball into an empty folder, runs without the TypeScript sources — Node refuses to
 * strip types under node_modules, so this is the path every user of the package takes.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../util/cli.ts';
import { useTempDir } from '../util/tmp.ts';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
// What a clean clone has, without build outputs or local data.
const NOT_IN_A_CLONE = new Set(['node_modules', '.git', 'dist', 'data', '.salesflow', 'coverage']);
// The package needs Node >= 22.13 (its dependencies' engines); the pinned Node runs it here.
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}` };

async function run(cmd: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(cmd, args, { cwd, env, maxBuffer: 64 << 20 });
    return stdout;
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}: ${e.message}\n${e.stdout}\n${e.stderr}`);
  }
}

describe('the packed package', () => {
  const tmp = useTempDir('salesflow-pack-');

  it('installs from the tarball into an empty folder and runs: CLI, demo, workers, assets, library entry points', async () => {
    // Pack a copy, so the build's dist/ never lands in the working tree under test.
    const src = join(tmp(), 'src');
    cpSync(REPO_ROOT, src, {
      recursive: true,
      filter: (path) => !NOT_IN_A_CLONE.has(path.slice(REPO_ROOT.length).split('/')[0]),
    });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(src, 'node_modules'));
    const packed = JSON.parse(await run('npm', ['pack', '--json', '--pack-destination', tmp()], src));
    const files: string[] = packed[0].files.map((f: { path: string }) => f.path);
    expect(files).toContain('dist/cli/main.js');
    expect(files).toContain('LICENSE');
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);

    const app = join(tmp(), 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true, "type": "module" }\n');
    await run('npm', ['install', join(tmp(), packed[0].filename), '--prefer-offline', '--no-audit', '--no-fund'], app);
    const installed = join(app, 'node_modules', 'salesflow');
    expect(existsSync(join(installed, 'cli'))).toBe(false);

    expect(await run('npx', ['--no-install', 'salesflow', '--help'], app)).toContain('Commands:');
    const salesflow = join(app, 'node_modules', '.bin', 'salesflow');
    await run(salesflow, ['gen', '-n', '1000', '-o', 'sales.csv', '-q'], app); // generator worker threads
    expect(readFileSync(join(app, 'sales.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(1001);
    // The whole flow: convert workers, DuckDB, the pipeline, and the dashboard's assets in the report.
    expect(await run(salesflow, ['demo', '-n', '1000', '-d', 'demo'], app)).toMatch(/demo ok/);
    expect(readFileSync(join(app, 'demo', 'report.html'), 'utf8')).toContain('echarts');
    expect(await run(salesflow, ['aggregate', 'demo/lake', '--engine', 'arrow', '-f', 'json'], app)).toContain(
      'product_category',
    ); // Arrow scan workers and parquet-wasm
    expect(await run(salesflow, ['query', '--list'], app)).toContain('top_customers'); // SQL shipped in dist/sql

    // Every library entry point resolves by its package name and has declarations.
    const entries = Object.keys(pkg.exports).filter((e) => e !== './package.json');
    const script = `for (const e of ${JSON.stringify(entries)}) {
      const m = await import('salesflow' + e.slice(1));
      if (Object.keys(m).length === 0) throw new Error(e + ' exports nothing');
    }`;
    await run(process.execPath, ['--input-type=module', '-e', script], app);
    for (const e of entries) expect(existsSync(join(installed, pkg.exports[e].types))).toBe(true);
  }, 180_000); // ~30 s of CPU: the build, the install (from the npm cache), six commands
});
