/** Shared pieces of the stream tests: the emulator per test file, messages, waiting, warehouse snapshots. */
import type { PubSub, Topic } from '@google-cloud/pubsub';
import { afterAll, beforeAll } from 'vitest';
import { formatCents } from '../../../shared/money.ts';
import { createPubSubClient, type PubSubEmulator, startPubSubEmulator } from '../../../shared/pubsub/index.ts';
import type { Warehouse } from '../../../warehouse/warehouse.ts';
import type { SampleRow } from '../../util/sales-csv.ts';

export { salesJson, sampleRows, type SampleRow } from '../../util/sales-csv.ts';

export interface EmulatorFixture {
  emulator: PubSubEmulator;
  client: PubSub;
  /** A topic with these subscriptions (created fresh). */
  topic(name: string, subscriptions?: readonly string[]): Promise<Topic>;
}

/** One emulator for the test file, started before its tests and stopped (by PID) after them. */
export function useEmulator(projectId: string): () => EmulatorFixture {
  let fixture: EmulatorFixture | undefined;
  beforeAll(async () => {
    const emulator = await startPubSubEmulator({ projectId });
    const client = createPubSubClient({ projectId, apiEndpoint: emulator.host });
    fixture = {
      emulator,
      client,
      async topic(name, subscriptions = []) {
        const [topic] = await client.createTopic(name);
        for (const s of subscriptions) await topic.createSubscription(s, { ackDeadlineSeconds: 10 });
        return topic;
      },
    };
  }, 90_000);
  afterAll(async () => {
    await fixture?.client.close();
    await fixture?.emulator.stop();
  });
  return () => {
    if (fixture === undefined) throw new Error('the emulator is not started (beforeAll)');
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

/** Resolve once `condition()` holds (checked every 25 ms); reject naming `what` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
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
