#!/usr/bin/env node
// The published package's build (`npm pack` runs it as prepack): the TypeScript compiled
// to dist/ as JavaScript with declarations, and every other file of the compiled folders
// copied beside it (the code reads them relative to itself: the dashboard's assets, the
// example SQL). Development runs the sources directly and never needs it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const configPath = join(root, 'tsconfig.build.json');
const require = createRequire(import.meta.url);
const ts = require('typescript');

const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
const outDir = join(root, config.compilerOptions.outDir);
// Folders read at run time that hold no TypeScript (warehouse/examples.ts → ../sql/examples/).
const folders = [...config.include, 'sql'];

rmSync(outDir, { recursive: true, force: true });
const tsc = require.resolve('typescript/bin/tsc');
const res = spawnSync(process.execPath, [tsc, '-p', configPath], { stdio: 'inherit' });
if (res.status !== 0) {
  console.error('build: tsc failed');
  process.exit(res.status ?? 1);
}
for (const folder of folders) {
  if (!existsSync(join(root, folder))) continue;
  cpSync(join(root, folder), join(outDir, folder), {
    recursive: true,
    filter: (src) => !src.endsWith('.ts'),
  });
}
