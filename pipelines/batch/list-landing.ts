/**
 * Step 1: list the landing area for files the pipeline reads, with the checksum
 * of their current version, and look each up in the load log.
 */
import { manifestPartitionBy } from '../../shared/lake-layout.ts';
import { isHiddenName } from '../../shared/overlap.ts';
import type { ColumnName } from '../../shared/schema/index.ts';
import { checkObjectKey, type ObjectStore, versionChecksum } from '../../shared/storage/index.ts';
import { classifyKey, type LandingFile, landingPartitions } from './landing-file.ts';

export interface ListedLanding {
  files: LandingFile[];
  /** Keys the pipeline does not read (unknown extension), for the report. */
  ignored: string[];
}

/**
 * Keys under a hidden or `_` folder are never listed (Hive/Spark bookkeeping,
 * temp folders — and the archive or rejected area when it lives inside the
 * landing area, which run-batch allows only there).
 */
export async function listLanding(store: ObjectStore): Promise<ListedLanding> {
  const { objects } = await store.list('', { recursive: true });
  // A hostile name (`../x.csv`) stops the run before anything loads, rather than passing for a hidden folder.
  for (const o of objects) checkObjectKey(o.key, store.uri(o.key));
  // Lakes in the landing area that say their layout (to-parquet's _manifest.json): folder → partitionBy.
  const manifests = new Map<string, readonly ColumnName[]>();
  for (const o of objects) {
    if (o.key !== '_manifest.json' && !o.key.endsWith('/_manifest.json')) continue;
    if (o.key.split('/').slice(0, -1).some(isHiddenName)) continue;
    const columns = manifestPartitionBy((await store.getBuffer(o.key)).toString('utf8'));
    if (columns !== undefined) manifests.set(o.key.slice(0, Math.max(0, o.key.lastIndexOf('/'))), columns);
  }
  const files: LandingFile[] = [];
  const ignored: string[] = [];
  for (const o of objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    if (o.key.split('/').slice(0, -1).some(isHiddenName)) continue;
    const kind = classifyKey(o.key);
    if (!kind) {
      if (!/(^|\/)[_.]/.test(o.key)) ignored.push(o.key);
      continue;
    }
    // Listing may omit checksums (local folders): stat computes them.
    const info = o.md5Hash || o.crc32c ? o : ((await store.stat(o.key)) ?? o);
    const checksum = versionChecksum(info);
    const layout = landingPartitions(o.key, (folder) => manifests.get(folder));
    files.push({
      key: o.key,
      uri: store.uri(o.key),
      size: info.size,
      checksum,
      generation: info.generation,
      updated: info.updated,
      ...kind,
      partitionValues: 'values' in layout ? layout.values : {},
      ...('outside' in layout ? { outsideLayout: layout.outside } : {}),
    });
  }
  return { files, ignored };
}
