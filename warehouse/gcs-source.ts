/**
 * Fetch a gs:// object to a local file, for loads on the DuckDB warehouse,
 * through the object store (shared/storage): STORAGE_EMULATOR_HOST (the GCS
 * test server) works, and transient failures are retried like every read.
 */
import { InputError } from '../shared/errors.ts';

export function parseGsUri(uri: string): { bucket: string; name: string } {
  const m = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (m === null) throw new InputError(`not a gs:// object URI: ${uri}`, { file: uri });
  return { bucket: m[1], name: m[2] };
}

export async function downloadGcsObject(uri: string, destination: string): Promise<void> {
  const { bucket, name } = parseGsUri(uri);
  // Loaded on first use: most warehouse work never touches gs://.
  const { openStore } = await import('../shared/storage/index.ts');
  await openStore(`gs://${bucket}`).getFile(name, destination);
}
