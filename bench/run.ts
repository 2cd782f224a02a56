/**
 * `npm run bench [-- name …]`: run every bench/*.bench.ts (or the named ones) in
 * turn, each as its own process, so one bench's memory never skews another's.
 * A name picks its own bench when there is one (`stream` is stream.bench.ts, not
 * stream-scale too), else every bench it begins (`pipeline`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const all = readdirSync(dir).filter((f) => f.endsWith('.bench.ts'));
const picked = (w: string) => (all.includes(`${w}.bench.ts`) ? [`${w}.bench.ts`] : all.filter((f) => f.startsWith(w)));
const files = (wanted.length === 0 ? all : [...new Set(wanted.flatMap(picked))]).sort();
if (files.length === 0) {
  console.error(`no benchmarks match ${wanted.join(' ')}; have: ${all.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const f of files) {
  console.log(`\n# ${f}`);
  const res = spawnSync(process.execPath, [join(dir, f)], { stdio: 'inherit' });
  if (res.status !== 0) {
    failed++;
    console.error(`${f} failed (exit ${res.status})`);
  }
}
process.exit(failed ? 1 : 0);
