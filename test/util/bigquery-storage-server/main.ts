/**
 * Standalone Storage Write API test server, with the BigQuery REST test server
 * whose tables it writes (one process, one in-memory DuckDB):
 *   npm run bigquery-storage-server -- --port 9060 --bigquery-port 9050 [--unavailable 0.1] [--lose-responses 0.1]
 * Once both listen it prints an `export BIGQUERY_EMULATOR_HOST=… BIGQUERY_STORAGE_EMULATOR_HOST=…`
 * line, the line programs starting it wait for (`--port 0 --bigquery-port 0` take free ports;
 * the line names them). Data lives in memory until the process ends.
 */
import { parseArgs } from 'node:util';
import { startBigQueryServer } from '../bigquery-server/index.ts';
import { type FaultTarget, startBigQueryStorageServer } from './index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9060' },
    'bigquery-port': { type: 'string', default: '9050' },
    host: { type: 'string', default: '127.0.0.1' },
    project: { type: 'string', default: process.env.GOOGLE_CLOUD_PROJECT ?? 'test-project' },
    'gcs-endpoint': { type: 'string' },
    unavailable: { type: 'string', default: '0' },
    'lose-responses': { type: 'string', default: '0' },
    'fault-targets': { type: 'string', default: 'append,commit,flush' },
    seed: { type: 'string', default: '1' },
    log: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    'BigQuery Storage Write API test server (gRPC), with the BigQuery REST test server it writes into.\n\n' +
      'Options: --port 9060 --bigquery-port 9050 (0: any free port) --host 127.0.0.1 --project test-project --gcs-endpoint URL\n' +
      '         --unavailable SHARE --lose-responses SHARE --fault-targets append,commit,flush,finalize --seed N --log\n\n' +
      'Example:\n  npm run bigquery-storage-server -- --port 9060 --bigquery-port 9050 --lose-responses 0.1\n',
  );
  process.exit(0);
}

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(2);
};
const share = (name: string, v: string) => {
  const n = Number(v);
  return n >= 0 && n <= 1 ? n : fail(`--${name} must be a share between 0 and 1, got ${v}`);
};
const KNOWN_TARGETS: readonly FaultTarget[] = ['append', 'commit', 'flush', 'finalize'];
const targets = values['fault-targets'].split(',').map((t) => t.trim()) as FaultTarget[];
for (const t of targets) if (!KNOWN_TARGETS.includes(t)) fail(`--fault-targets: unknown target ${t}`);

const bigquery = await startBigQueryServer({
  port: Number(values['bigquery-port']),
  host: values.host,
  projectId: values.project,
  gcsEndpoint: values['gcs-endpoint'],
});
const storage = await startBigQueryStorageServer({
  bigquery,
  port: Number(values.port),
  host: values.host,
  log: values.log,
  faults: {
    unavailable: share('unavailable', values.unavailable),
    lostResponse: share('lose-responses', values['lose-responses']),
    targets,
    seed: Number(values.seed),
  },
});
process.stdout.write(`BigQuery test server on ${bigquery.url} (project ${bigquery.projectId})\n`);
process.stdout.write(
  `  export BIGQUERY_EMULATOR_HOST=${bigquery.url} BIGQUERY_STORAGE_EMULATOR_HOST=${storage.endpoint} GOOGLE_CLOUD_PROJECT=${bigquery.projectId}\n`,
);
process.stdout.write(
  `Storage Write API test server on ${storage.endpoint} (gRPC, insecure; salesflow reads BIGQUERY_STORAGE_EMULATOR_HOST): client options\n` +
    `  { apiEndpoint: '${storage.host}', port: ${storage.port}, sslCreds: grpc.credentials.createInsecure(), authClient: new PassThroughClient() }\n`,
);
const stop = async () => {
  await storage.stop();
  await bigquery.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
