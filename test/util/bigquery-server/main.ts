/**
 * Standalone BigQuery test server (`npm run bigquery-server -- --port 9050`).
 * Once it listens it prints the URL and an `export BIGQUERY_EMULATOR_HOST=URL …` line (the
 * line programs starting it wait for; `--port 0` takes a free port and the line names it);
 * point the client at it with BIGQUERY_EMULATOR_HOST=URL or `--bigquery-endpoint URL`.
 * Data lives in memory until the process ends.
 */
import { parseArgs } from 'node:util';
import { startBigQueryServer } from './index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9050' },
    host: { type: 'string', default: '127.0.0.1' },
    project: { type: 'string', default: process.env.GOOGLE_CLOUD_PROJECT ?? 'test-project' },
    'gcs-endpoint': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

const bq = await startBigQueryServer({
  port: Number(values.port),
  host: values.host,
  projectId: values.project,
  gcsEndpoint: values['gcs-endpoint'],
  verbose: values.verbose,
});
process.stdout.write(`BigQuery test server on ${bq.url} (project ${bq.projectId})\n`);
process.stdout.write(`  export BIGQUERY_EMULATOR_HOST=${bq.url} GOOGLE_CLOUD_PROJECT=${bq.projectId}\n`);
const stop = async () => {
  await bq.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
