/**
 * A lake in an object store (gs://), as its layout defines it: from one
 * listing, the Parquet objects under its partition folders, in the order its
 * `_manifest.json` gives (shared/lake-layout.ts). The gs:// cache fetches only
 * these, and the BigQuery engine lists only these for its external table.
 */
import { isBookkeepingName, type LakeFiles, manifestPartitionBy, selectLakeFiles } from '../shared/lake-layout.ts';
import { log } from '../shared/log.ts';
import type { ObjectInfo, ObjectStore } from '../shared/storage/index.ts';

export async function storeLake(store: ObjectStore, objects: readonly ObjectInfo[]): Promise<LakeFiles<ObjectInfo>> {
  const manifest = objects.find((o) => o.key === '_manifest.json');
  const columns = manifest
    ? manifestPartitionBy(
        (await store.getBuffer(manifest.key, undefined, { generation: manifest.generation })).toString('utf8'),
      )
    : undefined;
  const parquet = objects.filter((o) => o.key.endsWith('.parquet') && !o.key.split('/').some(isBookkeepingName));
  const lake = selectLakeFiles(
    parquet,
    (o) => o.key.split('/').slice(0, -1),
    (o) => o.key,
    columns,
  );
  if (lake.skipped.length > 0) {
    const eg = lake.skipped[0];
    log.warn(
      `${store.url}: ${lake.skipped.length} Parquet object${lake.skipped.length === 1 ? '' : 's'} outside the lake's layout not read (e.g. ${eg.file.key}: ${eg.reason})`,
    );
  }
  return lake;
}
