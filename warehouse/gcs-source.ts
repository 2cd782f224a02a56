/**
 * Fetch a gs:// object to a local file, for loads on the DuckDB warehouse,
 * through the object store (shared/storage): STORAGE_EMULATOR_HOST (the GCS
 * test server) works, and transient failures are retried like every read.
 */
export async function downloadGcsObject(uri: string, destination: string): Promise<void> {
  // Loaded on first use: most warehouse work never touches gs://.
  const { openStore, parseGcsObjectUri } = await import('../shared/storage/index.ts');
  const { bucket, key } = parseGcsObjectUri(uri);
  await openStore(bucket).getFile(key, destination);
}
