/** A GCS test server with one bucket, and a helper to put a local file at a gs:// URI. */
import { Storage } from '@google-cloud/storage';
import { PassThroughClient } from 'google-auth-library';
import { parseGcsObjectUri } from '../../shared/storage/index.ts';
import { type GcsServer, startGcsServer } from '../util/gcs-server/index.ts';

export function gcsFixture() {
  let server: GcsServer | undefined;
  return {
    async start() {
      server = await startGcsServer();
      const storage = new Storage({ apiEndpoint: server.url, projectId: 'test', authClient: new PassThroughClient() });
      const created = new Set<string>();
      const putGcs = async (localPath: string, uri: string) => {
        const {
          bucket: { bucket },
          key: name,
        } = parseGcsObjectUri(uri);
        if (!created.has(bucket)) {
          await storage.createBucket(bucket).catch((e: { code?: number }) => {
            if (e.code !== 409) throw e;
          });
          created.add(bucket);
        }
        await storage.bucket(bucket).upload(localPath, { destination: name, resumable: false });
      };
      return { url: server.url, putGcs };
    },
    async stop() {
      await server?.stop();
    },
  };
}
