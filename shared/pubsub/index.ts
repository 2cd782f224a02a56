export { createPubSubClient, type PubSubClientOptions, usesEmulator } from './client.ts';
export {
  EMULATOR_MISSING,
  findPubSubEmulator,
  freePort,
  type PubSubEmulator,
  startPubSubEmulator,
  type StartPubSubEmulatorOptions,
} from './emulator.ts';
export { defaultPubSubProject, type PubSubKind, type PubSubName, parsePubSubName } from './names.ts';
export { fromPubSubError, grpcCode } from './errors.ts';
export { ensureSubscription, ensureTopic, type SubscriptionSpec } from './resources.ts';
