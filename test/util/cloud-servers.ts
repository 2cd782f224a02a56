/**
 * The GCS and BigQuery test servers for one test file, wired together (BigQuery
 * load jobs read gs:// from the GCS server): started before the file's tests,
 * stopped after them.
 */
import { afterAll, beforeAll } from 'vitest';
import { type RunningBigQueryServer, startBigQueryServer } from './bigquery-server/index.ts';
import { type GcsServer, startGcsServer } from './gcs-server/index.ts';

export interface CloudServers {
  gcs: GcsServer;
  bq: RunningBigQueryServer;
}

export function useCloudServers(projectId: string): () => CloudServers {
  let servers: CloudServers | undefined;
  beforeAll(async () => {
    const gcs = await startGcsServer();
    servers = { gcs, bq: await startBigQueryServer({ projectId, gcsEndpoint: gcs.url }) };
  }, 60_000);
  afterAll(async () => {
    await servers?.bq.stop();
    await servers?.gcs.stop();
  });
  return () => {
    if (!servers) throw new Error('the cloud test servers are not started (call useCloudServers at the top level)');
    return servers;
  };
}
