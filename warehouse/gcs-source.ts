/**
 * Fetch a gs:// object to a local file, for loads on the DuckDB warehouse. Uses
 * @google-cloud/storage, so STORAGE_EMULATOR_HOST (the GCS test server) works.
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
  const { Storage } = await import('@google-cloud/storage');
  const { PassThroughClient } = await import('google-auth-library');
  const emulator = process.env.STORAGE_EMULATOR_HOST;
  const storage = emulator
    ? new Storage({ apiEndpoint: emulator, authClient: new PassThroughClient(), projectId: 'test' })
    : new Storage();
  await storage.bucket(bucket).file(name).download({ destination, validation: false });
}
