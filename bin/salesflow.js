#!/usr/bin/env node
// Entry point for `npx salesflow`. The CLI is TypeScript run directly by Node's
// built-in type stripping (Node >= 22.18). If an older system Node launched us,
// re-run on the Node pinned in devDependencies instead of failing obscurely.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [major, minor] = process.versions.node.split('.').map(Number);
const supported = major > 22 || (major === 22 && minor >= 18);

if (!supported) {
  const pinned = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(pinned)) {
    console.error(
      `salesflow needs Node >= 22.18 (found ${process.versions.node}). Run \`npm ci\` in ${root} to install the pinned Node.`,
    );
    process.exit(2);
  }
  const res = spawnSync(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(res.status ?? 1);
} else {
  // Cache compiled (and type-stripped) modules on disk: ~0.1 s off every later start.
  module.enableCompileCache?.();
  await import('../cli/main.ts');
}
