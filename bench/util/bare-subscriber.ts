/**
 * The ceiling the stream benches measure the pipeline against, as a process of
 * its own: `node bench/util/bare-subscriber.ts projects/P/subscriptions/S COUNT`
 * (PUBSUB_EMULATOR_HOST set) acks COUNT messages and exits. The official client
 * with the pipeline's flow control and no work. Its own file so that the process
 * loads only the Pub/Sub client: a bench file importing the pipeline would put
 * DuckDB into the ceiling's peak RSS.
 */
import type { Message } from '@google-cloud/pubsub';
import { batchFlowControl, DEFAULT_MAX_BATCH } from '../../pipelines/io/pubsub-source.ts';
import { createPubSubClient } from '../../shared/pubsub/index.ts';

export const BARE_SUBSCRIBER = new URL(import.meta.url).pathname;

async function bareSubscriber(subscription: string, count: number): Promise<void> {
  const projectId = /^projects\/([^/]+)\//.exec(subscription)?.[1];
  if (!projectId || !(count > 0)) throw new Error(`usage: bare-subscriber.ts projects/P/subscriptions/S COUNT`);
  const client = createPubSubClient({ projectId });
  const sub = client.subscription(subscription, {
    flowControl: batchFlowControl(DEFAULT_MAX_BATCH),
  });
  let acked = 0;
  await new Promise<void>((resolve, reject) => {
    sub.on('error', reject);
    sub.on('message', (m: Message) => {
      m.ack();
      if (++acked === count) resolve();
    });
  });
  await sub.close();
  await client.close();
}

if (import.meta.main) await bareSubscriber(process.argv[2] ?? '', Number(process.argv[3]));
