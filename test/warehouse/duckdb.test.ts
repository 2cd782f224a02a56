import { join } from 'node:path';
import { afterAll } from 'vitest';
import { DuckDBWarehouse } from '../../warehouse/duckdb-warehouse.ts';
import { useTempDir } from '../util/tmp.ts';
import { warehouseContract } from './contract.ts';
import { gcsFixture } from './gcs.ts';

const dir = useTempDir('salesflow-duckdb-wh-');
let warehouse: DuckDBWarehouse | undefined;
const gcs = gcsFixture();

warehouseContract('duckdb', async () => {
  const { putGcs, url } = await gcs.start();
  process.env.STORAGE_EMULATOR_HOST = url;
  warehouse = await DuckDBWarehouse.open(join(dir(), 'nested', 'warehouse.duckdb'));
  return { warehouse, putGcs };
});

afterAll(async () => {
  await warehouse?.close();
  await gcs.stop();
});
