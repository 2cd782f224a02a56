/**
 * Start the Storage Write API test server in-process, on top of a BigQuery REST test server:
 *
 *   const bq = await startBigQueryServer({ projectId: 'test-project' });
 *   const storage = await startBigQueryStorageServer({ bigquery: bq });
 *   const writer = new managedwriter.WriterClient(storage.clientOptions());
 *   …
 *   await storage.stop();
 *   await bq.stop();
 */
export {
  type BigQueryStorageServer,
  type FaultTarget,
  type StorageFaults,
  type StorageServerOptions,
  type StorageServerStats,
  type WriteClientOptions,
  startBigQueryStorageServer,
} from './server.ts';
