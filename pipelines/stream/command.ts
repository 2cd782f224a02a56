/** `salesflow pipeline stream`: a Pub/Sub subscription → validated, exactly-once medallion tables. */
import type { CommandModule } from 'yargs';
import { describeError, EXIT_PARTIAL, UsageError } from '../../shared/errors.ts';
import { printSummary, showProgress } from '../../shared/command-output.ts';
import { log } from '../../shared/log.ts';
import { numberOption } from '../../shared/number-flag.ts';
import { defaultPubSubProject } from '../../shared/pubsub/names.ts';
import { loadDomains } from '../../shared/schema/domains.ts';
import { handleStopSignals } from '../../shared/stop-signals.ts';
import { WAREHOUSE_OPTION } from '../../warehouse/open.ts';
import { parseInterval } from '../../shared/interval.ts';
import { startHealthServer } from './health-server.ts';
import { formatStreamSummary, statusLiner } from './report.ts';

interface StreamArgs {
  subscription: string;
  project?: string;
  warehouse?: string;
  'until-idle'?: string;
  'max-messages'?: number;
  'commit-interval': string;
  'max-batch': number;
  'allowed-lateness': string;
  create?: boolean;
  topic?: string;
  'dead-letter-topic'?: string;
  'max-delivery-attempts'?: number;
  domains?: string;
  verbose?: boolean;
  quiet?: boolean;
}

/** `0`, `30s`, `2m`… → ms (0 allowed, unlike intervals). */
function parseLateness(text: string): number {
  return parseInterval(text, 'allowed-lateness', 0);
}

export const streamCommand: CommandModule<object, StreamArgs> = {
  command: 'stream',
  describe: 'Stream sale events from Pub/Sub into the warehouse: validate, de-duplicate, quarantine, gold per minute',
  builder: (y) =>
    y
      .option('subscription', {
        alias: 's',
        type: 'string',
        demandOption: true,
        describe: 'Subscription: NAME (in --project) or projects/PROJECT/subscriptions/NAME',
      })
      .option('project', {
        type: 'string',
        describe: 'Project of short names (default PUBSUB_PROJECT_ID, GOOGLE_CLOUD_PROJECT)',
      })
      .option('warehouse', { ...WAREHOUSE_OPTION, alias: 'w' })
      .option('until-idle', { type: 'string', describe: 'Stop once no message arrived for this long (10s, 2m)' })
      .option(
        'max-messages',
        numberOption('max-messages', {
          integer: true,
          min: 1,
          max: Number.MAX_SAFE_INTEGER,
          describe: 'Stop after this many messages',
        }),
      )
      .option('commit-interval', {
        type: 'string',
        default: '2s',
        describe: 'Longest a message waits for its commit (an idle pipeline commits sooner)',
      })
      .option(
        'max-batch',
        numberOption('max-batch', { integer: true, min: 1, default: 5000, describe: 'Most messages per commit' }),
      )
      .option('allowed-lateness', {
        type: 'string',
        default: '60s',
        describe: 'How long after its end a minute still takes late events into its gold pane',
      })
      .option('create', {
        type: 'boolean',
        describe:
          'Create the subscription (and --topic, --dead-letter-topic) if missing. --no-create creates nothing: the ' +
          "warehouse's dataset, tables and views must exist (exit 2 naming what is missing), as in a dataset " +
          'Terraform manages; by default missing ones are created',
      })
      .option('topic', { type: 'string', describe: 'With --create: the topic to subscribe to' })
      .option('dead-letter-topic', {
        type: 'string',
        describe: 'With --create: where messages go after --max-delivery-attempts failed deliveries',
      })
      .option(
        'max-delivery-attempts',
        numberOption('max-delivery-attempts', {
          integer: true,
          min: 5,
          max: 100,
          describe: 'With --dead-letter-topic: deliveries before dead-lettering (5–100, default 5)',
        }),
      )
      .option('domains', { type: 'string', describe: 'Categories/regions JSON file (default SALESFLOW_DOMAINS)' })
      .check((a) => {
        if (a.create && !a.topic) throw new UsageError('--create needs --topic (the topic to subscribe to)');
        if (!a.create && (a.topic || a['dead-letter-topic'])) {
          throw new UsageError('--topic and --dead-letter-topic only apply with --create');
        }
        if (a['max-delivery-attempts'] !== undefined && !a['dead-letter-topic']) {
          throw new UsageError('--max-delivery-attempts needs --dead-letter-topic');
        }
        parseInterval(a['commit-interval'], 'commit-interval');
        if (a['until-idle'] !== undefined) parseInterval(a['until-idle'], 'until-idle');
        parseLateness(a['allowed-lateness']);
        return true;
      })
      .example(
        'salesflow pipeline stream -s sales-sub --project my-proj --until-idle 30s',
        'into the local DuckDB warehouse until the subscription is quiet',
      )
      .example(
        'salesflow pipeline stream -s sales-sub --create --topic sales --dead-letter-topic sales-dead --max-delivery-attempts 5',
        'create the subscription with a dead-letter policy first',
      )
      .example(
        'salesflow pipeline stream -s sales-sub -w bigquery:my-proj.salesflow --no-create',
        'one of N consumers (Cloud Run instances) on a Terraform-managed subscription and dataset',
      )
      .example(
        'PUBSUB_EMULATOR_HOST=127.0.0.1:8085 salesflow pipeline stream -s projects/local/subscriptions/sales-sub -w duckdb:data/wh.duckdb',
        'against the emulator',
      )
      .epilogue(
        'Every micro-batch (--commit-interval, or --max-batch messages) is one transaction: valid events → ' +
          'bronze_sales (with message id, publish and event time), new transaction_ids → silver_sales, invalid ' +
          'events → quarantine_sales (payload, attributes, reasons); then its messages are acked. Redelivered or ' +
          're-published events are counted as duplicates, never loaded twice. gold_sales_per_minute is upserted ' +
          'as each minute of event time closes (recomputed from silver). SIGINT/SIGTERM drains (commit, ack, ' +
          'exit 0); a second signal stops at once. A transient failure (warehouse unreachable) acks nothing and ' +
          'the stream starts again after a backoff. With $PORT set, GET / on it answers the status as JSON. ' +
          'Several processes may consume one subscription into one BigQuery dataset (docs/streaming.md). ' +
          'Exit 0; 3 when messages were quarantined; 1 on a terminal failure or a warehouse file another process ' +
          'holds; 2 for bad flags or (--no-create) a warehouse lacking a table or view. ' +
          'The summary goes to stdout (not with --quiet); a status line to stderr on a TTY or with --verbose.',
      ),
  handler: async (args) => {
    const drain = new AbortController();
    const cancel = new AbortController();
    const signals = handleStopSignals({
      graceful: () => {
        log.info('draining: committing what was read, then stopping (a second signal stops at once)');
        drain.abort();
      },
      immediate: () => cancel.abort(),
    });
    // Loaded here, not with the command list: `pipeline batch` need not load the Pub/Sub client.
    const { startStream } = await import('./run-stream.ts');
    const handle = startStream({
      subscription: args.subscription,
      project: defaultPubSubProject(args.project),
      warehouse: args.warehouse,
      checkOnly: args.create === false,
      create: args.create
        ? {
            topic: args.topic as string,
            deadLetterTopic: args['dead-letter-topic'],
            maxDeliveryAttempts: args['max-delivery-attempts'],
          }
        : undefined,
      untilIdleMs: args['until-idle'] === undefined ? undefined : parseInterval(args['until-idle'], 'until-idle'),
      maxMessages: args['max-messages'],
      commitIntervalMs: parseInterval(args['commit-interval'], 'commit-interval'),
      maxBatch: args['max-batch'],
      allowedLatenessSeconds: parseLateness(args['allowed-lateness']) / 1000,
      domains: loadDomains(args.domains),
      drainSignal: drain.signal,
      cancelSignal: cancel.signal,
      onRetry: (err, delayMs) =>
        log.warn(
          `stream failed, nothing acked; starting again in ${(delayMs / 1000).toFixed(1)}s: ${describeError(err)}`,
        ),
    });
    const port = process.env.PORT;
    const health = port ? await startHealthServer(Number(port), () => ({ ...handle.status() })) : undefined;
    const tty = process.stderr.isTTY === true;
    const show = showProgress(args);
    const line = statusLiner();
    const timer = show
      ? setInterval(
          () => {
            const text = line(handle.status());
            process.stderr.write(tty ? `\r\x1b[2K${text}` : `${text}\n`);
          },
          tty ? 1000 : 10_000,
        )
      : undefined;
    timer?.unref();
    try {
      const summary = await handle.done;
      if (tty && show) process.stderr.write('\r\x1b[2K');
      printSummary(args, formatStreamSummary(summary));
      if (summary.quarantined > 0) process.exitCode = EXIT_PARTIAL;
    } finally {
      if (timer) clearInterval(timer);
      signals.dispose();
      await health?.close();
    }
  },
};
