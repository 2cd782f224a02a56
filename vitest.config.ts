import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

/** The files that share the run's Pub/Sub emulator (test/util/pubsub-global-setup.ts). */
const PUBSUB_FILES = ['test/pipelines/stream/**/*.test.ts'];

export default defineConfig({
  test: {
    // Native addons (DuckDB) and worker_threads behave best in child processes.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One test file per core: many files start multi-threaded processes of their own,
    // so more files than cores only thrash.
    maxWorkers: availableParallelism(),
    // Two projects run side by side in one pool; a project's globalSetup runs only when
    // one of its files is in the run, so a run without stream tests starts no emulator.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...PUBSUB_FILES],
        },
      },
      {
        extends: true,
        test: {
          name: 'pubsub',
          include: PUBSUB_FILES,
          globalSetup: ['test/util/pubsub-global-setup.ts'],
          // Starting the JVM on a loaded 2-core machine has taken 16 s.
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
