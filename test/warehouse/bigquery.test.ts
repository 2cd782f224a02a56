import { afterAll } from 'vitest';
import { BigQueryWarehouse } from '../../warehouse/bigquery-warehouse.ts';
import { type RunningBigQueryServer, startBigQueryServer } from '../util/bigquery-server/index.ts';
import { type BigQueryStorageServer, startBigQueryStorageServer } from '../util/bigquery-storage-server/index.ts';
import { warehouseContract } from './contract.ts';
import { gcsFixture } from './gcs.ts';

let server: RunningBigQueryServer | undefined;
let storage: BigQueryStorageServer | undefined;
const gcs = gcsFixture();

warehouseContract('bigquery (REST test server)', async () => {
  const { putGcs, url } = await gcs.start();
  server = await startBigQueryServer({ projectId: 'contract-project', gcsEndpoint: url });
  // The stream stages its micro-batches through the Storage Write API.
  storage = await startBigQueryStorageServer({ bigquery: server });
  const warehouse = await BigQueryWarehouse.open({
    projectId: server.projectId,
    dataset: 'sales_contract',
    endpoint: server.url,
    storageEndpoint: storage.endpoint,
  });
  return { warehouse, putGcs };
});

afterAll(async () => {
  await storage?.stop();
  await server?.stop();
  await gcs.stop();
});
