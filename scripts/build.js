#!/usr/bin/env node
// The published package's build (`npm pack` runs it as prepack): the TypeScript compiled
// to dist/ as JavaScript with declarations, plus the files the code reads from beside
// itself at run time. Development runs the sources directly and never needs it.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist`;
// Read at run time relative to the module that uses them (e.g. warehouse/examples.ts → ../sql/examples/).
const ASSETS = ['sql'];

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const res = spawnSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
if (res.status !== 0) {
  console.error('build: tsc failed');
  process.exit(res.status ?? 1);
}
for (const dir of ASSETS) cpSync(`${root}${dir}`, `${dist}/${dir}`, { recursive: true });
