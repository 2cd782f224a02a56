import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Native addons (DuckDB) and worker_threads behave best in child processes.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One test file per core: many files start multi-threaded processes of their own,
    // so more files than cores only thrash.
    maxWorkers: availableParallelism(),
  },
});
