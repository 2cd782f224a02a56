#!/usr/bin/env node
// Runs after `npm install`. npm decides which optional native packages to install
// (e.g. nodejs-polars-linux-x64-gnu, which declares engines.node >= 22) using the
// Node that runs npm — on a machine whose system Node is 20 it silently skips them.
// This hook runs on the pinned Node 24 (node_modules/.bin is first on PATH here), so
// a second, lockfile-respecting install pass picks up what the first one skipped.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

if (process.env.SALESFLOW_POSTINSTALL === '1') process.exit(0);
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.warn(
    `salesflow postinstall: running on Node ${process.versions.node}; expected the pinned Node 24. Skipping.`,
  );
  process.exit(0);
}

const require = createRequire(import.meta.url);
try {
  require.resolve('nodejs-polars');
} catch {
  // nodejs-polars itself is absent (e.g. --omit=dev): nothing to complete.
  process.exit(0);
}
try {
  require('nodejs-polars');
  process.exit(0); // its native binary is there
} catch {
  // Installed without its platform binary: the case this hook exists for.
}

console.log('salesflow postinstall: installing optional native packages skipped under the system Node…');
const res = spawnSync('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund'], {
  stdio: 'inherit',
  env: { ...process.env, SALESFLOW_POSTINSTALL: '1' },
});
if (res.status !== 0) {
  console.warn('salesflow postinstall: second install pass failed; benchmarks and polars checks may not run.');
}
