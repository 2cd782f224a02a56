/**
 * Step 1: list the landing area for files the pipeline reads, with the checksum
 * of their current version, and look each up in the load log.
 */
import { isHiddenName } from '../../shared/overlap.ts';
import { checkObjectKey, type ObjectStore, versionChecksum } from '../../shared/storage/index.ts';
import { classifyKey, type LandingFile, partitionValuesOf } from './landing-file.ts';

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
  const files: LandingFile[] = [];
  const ignored: string[] = [];
  // A hostile name (`../x.csv`) stops the run before anything loads, rather than passing for a hidden folder.
  for (const o of objects) checkObjectKey(o.key, store.uri(o.key));
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
    files.push({
      key: o.key,
      uri: store.uri(o.key),
      size: info.size,
      checksum,
      generation: info.generation,
      updated: info.updated,
      ...kind,
      partitionValues: partitionValuesOf(o.key),
    });
  }
  return { files, ignored };
}
