/** Shared pieces of the stream tests: the run's emulator under a project per file, messages, waiting, warehouse snapshots. */
import { randomBytes } from 'node:crypto';
import type { PubSub, Topic } from '@google-cloud/pubsub';
import { afterAll, beforeAll, inject } from 'vitest';
import { formatCents } from '../../../shared/money.ts';
import { createPubSubClient } from '../../../shared/pubsub/index.ts';
import type { Warehouse } from '../../../warehouse/warehouse.ts';
import type { SampleRow } from '../../util/sales-csv.ts';

export { salesJson, sampleRows, type SampleRow } from '../../util/sales-csv.ts';

export interface EmulatorFixture {
  /** This file's project on the run's emulator, and the variables that point a child process at both. */
  emulator: { host: string; projectId: string; env: Record<string, string> };
  client: PubSub;
  /** A topic with these subscriptions (created fresh). */
  topic(name: string, subscriptions?: readonly string[]): Promise<Topic>;
}

/** A project id of its own for one run of a test file: `prefix-` and six base-36 characters. */
export function uniqueProjectId(prefix: string): string {
  return `${prefix}-${randomBytes(4).readUInt32BE().toString(36).padStart(6, '0').slice(-6)}`;
}

/**
 * The run's emulator (test/util/pubsub-global-setup.ts) under `projectId`: a client
 * before the file's tests, closed after them. Give each file its own id (`uniqueProjectId`).
 */
export function useEmulator(projectId: string): () => EmulatorFixture {
  let fixture: EmulatorFixture | undefined;
  beforeAll(() => {
    const host = inject('pubsubEmulatorHost');
    if (!host) throw new Error('no Pub/Sub emulator: run this file under the `pubsub` project of vitest.config.ts');
    const client = createPubSubClient({ projectId, apiEndpoint: host });
    fixture = {
      emulator: { host, projectId, env: { PUBSUB_EMULATOR_HOST: host, PUBSUB_PROJECT_ID: projectId } },
      client,
      async topic(name, subscriptions = []) {
        const [topic] = await client.createTopic(name);
        for (const s of subscriptions) await topic.createSubscription(s, { ackDeadlineSeconds: 10 });
        return topic;
      },
    };
  });
  afterAll(async () => {
    await fixture?.client.close();
  });
  return () => {
    if (fixture === undefined) throw new Error('the emulator client is not ready (beforeAll)');
    return fixture;
  };
}

export interface OutgoingMessage {
  data: Buffer;
  attributes: Record<string, string>;
}

/** A sale as the publisher sends it: the record's JSON, event_time attribute. */
export function saleMessage(r: SampleRow, eventTime: number): OutgoingMessage {
  return {
    data: Buffer.from(
      JSON.stringify({
        transaction_id: r.id,
        customer_id: r.customer,
        transaction_date: new Date(eventTime).toISOString().slice(0, 10),
        sale_amount: formatCents(r.cents),
        product_category: r.category,
        sales_region: r.region,
      }),
    ),
    attributes: { event_time: new Date(eventTime).toISOString() },
  };
}

/** Publish in order; resolves to the message ids. */
export async function publishAll(topic: Topic, messages: readonly OutgoingMessage[]): Promise<string[]> {
  return Promise.all(messages.map((m) => topic.publishMessage({ data: m.data, attributes: m.attributes })));
}

/**
 * Resolve once `condition()` holds (checked every 25 ms); reject naming `what` after `timeoutMs`,
 * a bound for a broken run that also covers a loaded 2-core machine running a file's tests at once.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A condition checked when an event says it may have changed (`notify`, e.g. a stream's
 * onCommitted or onRetry): `wait` resolves once it holds; rejects naming `what` after `timeoutMs`.
 */
export function eventCondition(condition: () => boolean): {
  notify(): void;
  wait(what: string, timeoutMs?: number): Promise<void>;
} {
  const waiters = new Set<() => void>();
  return {
    notify() {
      for (const check of waiters) check();
    },
    wait(what, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        const check = () => {
          if (!condition()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** What two equivalent stream runs must agree on (no load times, no subscription names). */
export async function streamSnapshot(w: Warehouse): Promise<Record<string, unknown[]>> {
  const q = async (sql: string) => (await w.query(sql)).rows;
  return {
    silver: await q(
      `SELECT transaction_id, customer_id, transaction_date, sale_amount, product_category, sales_region, _event_time
       FROM silver_sales ORDER BY transaction_id`,
    ),
    bronze: await q(
      'SELECT _message_id, transaction_id, sale_amount, _event_time FROM bronze_sales ORDER BY _message_id',
    ),
    quarantine: await q('SELECT _message_id, raw_row, reasons FROM quarantine_sales ORDER BY _message_id'),
    gold: await q(
      'SELECT window_start, sales_region, transactions, total_sales FROM gold_sales_per_minute ORDER BY window_start, sales_region',
    ),
  };
}

/** gold_sales_per_minute as silver's streamed rows say it must be. */
export async function goldFromSilver(w: Warehouse): Promise<unknown[]> {
  return (
    await w.query(
      `SELECT date_trunc('minute', _event_time) AS window_start, sales_region, COUNT(*) AS transactions,
         SUM(sale_amount) AS total_sales
       FROM silver_sales WHERE _event_time IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`,
    )
  ).rows;
}
