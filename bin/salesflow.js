#!/usr/bin/env node
// Entry point for `salesflow`. A source checkout runs the TypeScript directly on Node's
// type stripping; the published package (no sources, see `files`) runs the build in dist/.
// A Node that cannot strip types (older than 22.18, or stripping turned off) re-runs the
// sources on the Node pinned in devDependencies instead of failing obscurely.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import { followLauncher, relaunch, wasRelaunched } from './relaunch.js';

const self = fileURLToPath(import.meta.url);
const sources = new URL('../cli/main.ts', import.meta.url);

// Cache compiled modules on disk: ~0.1 s off every later start.
module.enableCompileCache?.();

if (!existsSync(sources)) {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 13)) {
    console.error(`salesflow needs Node.js 22.13 or newer (found ${process.versions.node}).`);
    process.exit(2);
  }
  await import('../dist/cli/main.js');
} else if (process.features.typescript) {
  followLauncher();
  await import(sources.href);
} else {
  const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(pinned) || wasRelaunched()) {
    const found = `Node ${process.versions.node}${process.features.typescript === false ? ' with type stripping off' : ''}`;
    console.error(
      wasRelaunched()
        ? `salesflow: the pinned ${found} cannot run the TypeScript sources (check NODE_OPTIONS).`
        : `salesflow runs its TypeScript sources on Node >= 22.18 (found ${found}). ` +
            `Run \`npm install\` in ${fileURLToPath(new URL('..', import.meta.url))} to install the pinned Node.`,
    );
    process.exit(2);
  }
  relaunch(pinned, self, process.argv.slice(2));
}
