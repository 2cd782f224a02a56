/**
 * docs/sdk.md's example, kept honest: the fenced block after `<!-- sdk-example -->` is
 * run as it is written (only its package import pointed at the sources), and what it
 * prints must be the output the page documents after `<!-- sdk-example-output -->`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGE = readFileSync(join(ROOT, 'docs', 'sdk.md'), 'utf8');

/** The first fenced block after the marker comment. */
function blockAfter(marker: string): string {
  const at = PAGE.indexOf(`<!-- ${marker} -->`);
  if (at < 0) throw new Error(`docs/sdk.md has no <!-- ${marker} --> marker`);
  const m = /```[a-z]*\n([\s\S]*?)```/.exec(PAGE.slice(at));
  if (!m) throw new Error(`docs/sdk.md has no fenced block after <!-- ${marker} -->`);
  return m[1];
}

const dir = mkdtempSync(join(tmpdir(), 'sdk-example-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('docs/sdk.md: the example runs and prints the output the page shows', async () => {
  const code = blockAfter('sdk-example');
  const sdk = pathToFileURL(join(ROOT, 'pipelines', 'sdk', 'index.ts')).href;
  expect(code).toContain("from 'salesflow/pipelines/sdk'");
  const file = join(dir, 'example.ts');
  writeFileSync(file, code.replaceAll("'salesflow/pipelines/sdk'", `'${sdk}'`));

  const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: dir, timeout: 30_000 });

  expect(stdout).toBe(blockAfter('sdk-example-output'));
});
