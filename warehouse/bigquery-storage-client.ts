/**
 * The BigQuery Storage Write API client (`@google-cloud/bigquery-storage`
 * managedwriter): Google's endpoint with Application Default Credentials, or —
 * given `host:port`, or BIGQUERY_STORAGE_EMULATOR_HOST — an emulator or test
 * server over plain HTTP/2 with no credentials (the gRPC counterpart of
 * BIGQUERY_EMULATOR_HOST). Loaded only by what writes through it: the module
 * and its gRPC stack are heavy.
 */
import { UsageError } from '../shared/errors.ts';

export const STORAGE_EMULATOR_VARIABLE = 'BIGQUERY_STORAGE_EMULATOR_HOST';

export type WriterClient = InstanceType<
  typeof import('@google-cloud/bigquery-storage')['managedwriter']['WriterClient']
>;

/** `host:port` → its parts; a scheme or path is refused, naming where the value came from. */
export function parseStorageEndpoint(text: string, from: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port < 1 || port > 65535) {
    throw new UsageError(`${from} must be host:port of a Storage Write API server (got "${text}")`, { field: from });
  }
  return { host: m[1], port };
}

/**
 * `restEmulated`: the REST API goes to an emulator, so Google's Storage Write
 * endpoint is not the peer meant — refused, naming the variable to set.
 */
export async function createStorageWriterClient(
  projectId: string,
  endpoint?: string,
  restEmulated = false,
): Promise<WriterClient> {
  const { managedwriter } = await import('@google-cloud/bigquery-storage');
  const text = endpoint ?? process.env[STORAGE_EMULATOR_VARIABLE];
  if (!text && restEmulated) {
    throw new UsageError(
      `the BigQuery REST API goes to an emulator but the Storage Write API (which pipeline stream writes through) ` +
        `would go to Google: set ${STORAGE_EMULATOR_VARIABLE}=host:port of its emulator`,
      { field: STORAGE_EMULATOR_VARIABLE },
    );
  }
  if (!text) return new managedwriter.WriterClient({ projectId });
  const { host, port } = parseStorageEndpoint(text, endpoint === undefined ? STORAGE_EMULATOR_VARIABLE : 'endpoint');
  // sslCreds must come from the @grpc/grpc-js google-gax loads (grpc-js checks instanceof): package.json pins
  // the same version, so there is one copy. Without an authClient google-gax asks google-auth-library for the
  // universe domain, which looks for credentials and probes the GCE metadata server; PassThroughClient answers
  // locally (google-auth-library 11 here, 10 in google-gax: the same class, hence the cast).
  const grpc = await import('@grpc/grpc-js');
  const { PassThroughClient } = await import('google-auth-library');
  type Options = NonNullable<ConstructorParameters<typeof managedwriter.WriterClient>[0]>;
  return new managedwriter.WriterClient({
    projectId,
    apiEndpoint: host.replace(/^\[|\]$/g, ''),
    port,
    sslCreds: grpc.credentials.createInsecure(),
    authClient: new PassThroughClient() as unknown as Options['authClient'],
  });
}
