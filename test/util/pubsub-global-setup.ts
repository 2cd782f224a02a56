/**
 * One Pub/Sub emulator for every stream test file of a run (the `pubsub` project's
 * globalSetup in vitest.config.ts): the JVM starts once instead of once per file, and
 * each file works under a project id of its own (`useEmulator`), so files share the
 * emulator without seeing each other's topics.
 */
import type { TestProject } from 'vitest/node';
import { startPubSubEmulator } from '../../shared/pubsub/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `127.0.0.1:PORT` of the run's Pub/Sub emulator. */
    pubsubEmulatorHost: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulator = await startPubSubEmulator({ projectId: 'salesflow-tests' });
  project.provide('pubsubEmulatorHost', emulator.host);
  return () => emulator.stop();
}
