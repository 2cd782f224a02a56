/**
 * The Pub/Sub client every part of salesflow uses: the real service with
 * Application Default Credentials, or — given an endpoint, or the standard
 * PUBSUB_EMULATOR_HOST — the emulator, over plain gRPC with no auth.
 */
import { PubSub } from '@google-cloud/pubsub';
import { PassThroughClient } from 'google-auth-library';

export interface PubSubClientOptions {
  projectId: string;
  /** `host:port` of an emulator; default PUBSUB_EMULATOR_HOST. */
  apiEndpoint?: string;
}

export function createPubSubClient(opts: PubSubClientOptions): PubSub {
  const apiEndpoint = opts.apiEndpoint ?? process.env.PUBSUB_EMULATOR_HOST;
  // With an endpoint the client switches to emulator mode itself (insecure channel). A pass-through
  // auth client stops it probing for Application Default Credentials and the GCE metadata server.
  return apiEndpoint
    ? new PubSub({ projectId: opts.projectId, apiEndpoint, authClient: new PassThroughClient() })
    : new PubSub({ projectId: opts.projectId });
}

export function usesEmulator(apiEndpoint?: string): boolean {
  return Boolean(apiEndpoint ?? process.env.PUBSUB_EMULATOR_HOST);
}
