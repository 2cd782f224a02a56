/**
 * Standalone GCS test server: `npm run gcs-server -- --port 4443 [--bucket b] [--fail-503 0.2]`.
 * Then: `STORAGE_EMULATOR_HOST=http://127.0.0.1:4443 salesflow upload data/lake gs://b/lake`.
 * Once it listens it prints its URL and an `export STORAGE_EMULATOR_HOST=URL` line, the line
 * programs starting it wait for (`--port 0` takes a free port; the line names it).
 */
import { parseArgs } from 'node:util';
import { startGcsServer } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4443' },
    host: { type: 'string', default: '127.0.0.1' },
    bucket: { type: 'string', multiple: true, default: [] },
    'fail-503': { type: 'string', default: '0' },
    'fail-429': { type: 'string', default: '0' },
    'reset-uploads': { type: 'string', default: '0' },
    'reset-downloads': { type: 'string', default: '0' },
    'lose-responses': { type: 'string', default: '0' },
    log: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    'GCS JSON API test server (in memory).\n\n' +
      'Options: --port 4443 (0: any free port) --host 127.0.0.1 --bucket NAME (repeatable, pre-created)\n' +
      '         --fail-503 SHARE --fail-429 SHARE --reset-uploads SHARE --reset-downloads SHARE\n' +
      '         --lose-responses SHARE --log\n\n' +
      'Example:\n  npm run gcs-server -- --port 4443 --bucket demo\n' +
      '  STORAGE_EMULATOR_HOST=http://127.0.0.1:4443 salesflow upload data/lake gs://demo/lake\n',
  );
  process.exit(0);
}

const share = (name: string, v: string) => {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) {
    process.stderr.write(`--${name} must be a share between 0 and 1, got ${v}\n`);
    process.exit(2);
  }
  return n;
};

const server = await startGcsServer({
  port: Number(values.port),
  host: values.host,
  log: values.log,
  faults: {
    error503: share('fail-503', values['fail-503']),
    error429: share('fail-429', values['fail-429']),
    resetMidUpload: share('reset-uploads', values['reset-uploads']),
    resetMidDownload: share('reset-downloads', values['reset-downloads']),
    lostResponse: share('lose-responses', values['lose-responses']),
  },
});
for (const name of values.bucket) server.state.createBucket({ name });
process.stdout.write(`gcs-server listening on ${server.url}\n  export STORAGE_EMULATOR_HOST=${server.url}\n`);
const stop = () => {
  server.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
