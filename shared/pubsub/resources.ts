/**
 * Topics and subscriptions the commands create on request (`--create`):
 * idempotent, so a second run (or another consumer) finds them made.
 */
import type { PubSub, Subscription, Topic } from '@google-cloud/pubsub';
import { UsageError } from '../errors.ts';
import { fromPubSubError, GRPC_ALREADY_EXISTS, grpcCode } from './errors.ts';
import type { PubSubName } from './names.ts';

/** The topic; created when missing and `create` is set, else a usage error saying how to make it. */
export async function ensureTopic(pubsub: PubSub, name: PubSubName, create: boolean): Promise<Topic> {
  const topic = pubsub.topic(name.path);
  try {
    const [exists] = await topic.exists();
    if (exists) return topic;
    if (!create) {
      throw new UsageError(`topic ${name.path} does not exist: pass --create, or create it first`, {
        object: name.path,
      });
    }
    await pubsub.createTopic(name.path).catch(ignore(GRPC_ALREADY_EXISTS));
    return topic;
  } catch (err) {
    throw fromPubSubError(err, `topic ${name.path}`, { object: name.path });
  }
}

export interface SubscriptionSpec {
  topic: PubSubName;
  deadLetterTopic?: PubSubName;
  maxDeliveryAttempts?: number;
  /** Seconds (10–600); Pub/Sub's default is 10. */
  ackDeadlineSeconds?: number;
}

/**
 * The subscription; with `create`, made (with the topics it needs and its
 * dead-letter policy) when missing. An existing subscription is used as it is.
 */
export async function ensureSubscription(
  pubsub: PubSub,
  name: PubSubName,
  create: SubscriptionSpec | undefined,
): Promise<Subscription> {
  const subscription = pubsub.subscription(name.path);
  try {
    const [exists] = await subscription.exists();
    if (exists) return subscription;
    if (create === undefined) {
      throw new UsageError(
        `subscription ${name.path} does not exist: pass --create --topic TOPIC, or create it first`,
        { object: name.path },
      );
    }
    const topic = await ensureTopic(pubsub, create.topic, true);
    const options: Record<string, unknown> = { ackDeadlineSeconds: create.ackDeadlineSeconds ?? 60 };
    if (create.deadLetterTopic !== undefined) {
      const deadLetters = await ensureTopic(pubsub, create.deadLetterTopic, true);
      // A subscription on the dead-letter topic, so what lands there is kept (a topic alone keeps nothing).
      await deadLetters.createSubscription(`${create.deadLetterTopic.id}-sub`).catch(ignore(GRPC_ALREADY_EXISTS));
      options.deadLetterPolicy = {
        deadLetterTopic: create.deadLetterTopic.path,
        maxDeliveryAttempts: create.maxDeliveryAttempts ?? 5,
      };
    }
    await topic.createSubscription(name.id, options).catch(ignore(GRPC_ALREADY_EXISTS));
    return subscription;
  } catch (err) {
    throw fromPubSubError(err, `subscription ${name.path}`, { object: name.path });
  }
}

function ignore(code: number) {
  return (err: unknown) => {
    if (grpcCode(err) !== code) throw err;
  };
}
