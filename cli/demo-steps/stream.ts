/**
 * The demo's stream step: the Pub/Sub emulator (when the Google Cloud SDK is
 * here; otherwise the step is skipped, saying why), sale events published with
 * the fault mix, `pipeline stream` into the demo warehouse, rows per table,
 * the emulator stopped.
 */
import { join } from 'node:path';
import { formatPublishSummary, publishEvents } from '../../generator/publish.ts';
import { formatTable } from '../../shared/format.ts';
import {
  createPubSubClient,
  EMULATOR_MISSING,
  findPubSubEmulator,
  parsePubSubName,
  startPubSubEmulator,
} from '../../shared/pubsub/index.ts';
import { ensureSubscription } from '../../shared/pubsub/resources.ts';
import { formatStreamSummary } from '../../pipelines/stream/report.ts';
import { runStream } from '../../pipelines/stream/run-stream.ts';
import { openWarehouse } from '../../warehouse/open.ts';
import type { DemoStep } from './step.ts';

const PROJECT = 'salesflow-demo';
const TABLES = ['bronze_sales', 'silver_sales', 'quarantine_sales', 'gold_sales_per_minute'] as const;

export const streamStep: DemoStep = {
  name: 'stream',
  describe: 'Pub/Sub emulator → publish events with faults → pipeline stream into the warehouse',
  async run(ctx) {
    if (findPubSubEmulator() === undefined) return { skipped: `no Pub/Sub emulator: ${EMULATOR_MISSING}` };
    const warehouse = ctx.files.warehouse ?? join(ctx.dir, 'warehouse.duckdb');
    // About 1% of the batch history, at least 1,000 and at most 10,000 events.
    const events = Math.max(1000, Math.min(10_000, Math.round(ctx.rows / 100)));
    const emulator = await startPubSubEmulator({ projectId: PROJECT });
    const client = createPubSubClient({ projectId: PROJECT, apiEndpoint: emulator.host });
    try {
      const topic = parsePubSubName('sales', 'topics', PROJECT);
      const subscription = parsePubSubName('sales-stream', 'subscriptions', PROJECT);
      await ensureSubscription(client, subscription, { topic });
      // The sales after the batch history: the same model and seed, the rows after gen's.
      const published = await publishEvents({
        topic: topic.path,
        rows: events,
        rate: 0,
        seed: ctx.seed,
        firstRow: ctx.rows,
        duplicates: 0.01,
        invalid: 0.005,
        late: 0.01,
        client,
      });
      ctx.note(formatPublishSummary(published));
      const summary = await runStream({
        subscription: subscription.path,
        warehouse: `duckdb:${warehouse}`,
        maxMessages: published.published,
        client,
      });
      ctx.note(formatStreamSummary(summary));
      const w = await openWarehouse(`duckdb:${warehouse}`, { access: 'pipeline' });
      try {
        const counts: [string, number][] = [];
        for (const t of TABLES) counts.push([t, Number((await w.query(`SELECT COUNT(*) AS n FROM ${t}`)).rows[0].n)]);
        ctx.note(`Rows per table after the stream\n${formatTable(['table', 'rows'], counts)}`);
      } finally {
        await w.close();
      }
      return {
        rows: summary.silver,
        output: `duckdb:${warehouse}`,
        detail: `${summary.received} messages, ${summary.quarantined} quarantined, ${summary.duplicates} duplicates`,
      };
    } finally {
      await client.close();
      await emulator.stop();
    }
  },
};
