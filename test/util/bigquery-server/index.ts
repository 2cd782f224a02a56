/**
 * Start the BigQuery test server in-process:
 *
 *   const bq = await startBigQueryServer({ projectId: 'test-project' });
 *   const client = new BigQuery({ projectId: bq.projectId, apiEndpoint: bq.url, authClient: new PassThroughClient() });
 *   …
 *   await bq.stop();
 *
 * (or BIGQUERY_EMULATOR_HOST=bq.url: both URL layouts are served.)
 */
import { BigQueryServer, type BigQueryServerOptions } from './server.ts';

export { BigQueryServer, type BigQueryServerStats, STATS_PATH } from './server.ts';

export interface RunningBigQueryServer {
  /** http://127.0.0.1:PORT — use as apiEndpoint or BIGQUERY_EMULATOR_HOST. */
  url: string;
  projectId: string;
  server: BigQueryServer;
  stop(): Promise<void>;
}

export async function startBigQueryServer(
  opts: BigQueryServerOptions & { port?: number; host?: string } = {},
): Promise<RunningBigQueryServer> {
  const server = new BigQueryServer(opts);
  const url = await server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  return { url, projectId: server.projectId, server, stop: () => server.close() };
}
