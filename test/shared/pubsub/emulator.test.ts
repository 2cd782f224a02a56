import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPubSubClient,
  findPubSubEmulator,
  type PubSubEmulator,
  startPubSubEmulator,
} from '../../../shared/pubsub/index.ts';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('Pub/Sub emulator', () => {
  let emulator: PubSubEmulator;
  beforeAll(async () => {
    emulator = await startPubSubEmulator({ projectId: 'emulator-test' });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('serves the real client: topic, subscription, publish, pull, ack', async () => {
    const pubsub = createPubSubClient({ projectId: emulator.projectId, apiEndpoint: emulator.host });
    try {
      const [topic] = await pubsub.createTopic('orders');
      const [subscription] = await topic.createSubscription('orders-sub');
      const ids = await Promise.all(
        ['a', 'b', 'c'].map((s) => topic.publishMessage({ data: Buffer.from(s), attributes: { k: s } })),
      );
      const seen = await new Promise<string[]>((resolve, reject) => {
        const got: string[] = [];
        subscription.on('error', reject);
        subscription.on('message', (m) => {
          got.push(`${m.id}:${m.data.toString()}:${m.attributes.k}`);
          m.ack();
          if (got.length === ids.length) resolve(got);
        });
      });
      await subscription.close();
      expect(seen.sort()).toEqual(ids.map((id, i) => `${id}:${'abc'[i]}:${'abc'[i]}`).sort());
    } finally {
      await pubsub.close();
    }
  });

  it('stops its whole process group and frees the port', async () => {
    const other = await startPubSubEmulator();
    expect(await accepts(other.port)).toBe(true);
    await other.stop();
    expect(alive(other.pid)).toBe(false);
    expect(await accepts(other.port)).toBe(false);
    await other.stop(); // idempotent
  });
});

describe('finding the emulator', () => {
  it('says what to install when gcloud is not on PATH', async () => {
    const env = { ...process.env, PATH: '/nonexistent' };
    expect(findPubSubEmulator(env)).toBeUndefined();
    await expect(startPubSubEmulator({ env })).rejects.toThrow(/Google Cloud SDK.*pubsub-emulator.*Java/);
  });
});
