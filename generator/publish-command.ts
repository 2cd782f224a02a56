/** `salesflow publish`: sale events (with a fault mix) onto a Pub/Sub topic, paced, with a summary. */
import type { CommandModule } from 'yargs';
import { printSummary, showProgress } from '../shared/command-output.ts';
import { numberOption } from '../shared/number-flag.ts';
import { createProgress } from '../shared/progress.ts';
import { defaultPubSubProject } from '../shared/pubsub/names.ts';
import { loadDomains } from '../shared/schema/domains.ts';
import { handleStopSignals } from '../shared/stop-signals.ts';
import { DEFAULT_FIRST_ROW } from './events.ts';
import { countFlag, GEN_DEFAULTS } from './options.ts';
import { formatPublishSummary, publishEvents } from './publish.ts';

interface PublishArgs {
  topic: string;
  project?: string;
  rows: string;
  rate: number;
  seed: string;
  duplicates: number;
  invalid: number;
  late: number;
  'first-row': string;
  create: boolean;
  domains?: string;
  verbose?: boolean;
  quiet?: boolean;
}

export const publishCommand: CommandModule<object, PublishArgs> = {
  command: 'publish',
  describe: 'Publish synthetic sale events to Pub/Sub (seeded, paced, with duplicates/invalid/late faults)',
  builder: (y) =>
    y
      .option('topic', {
        alias: 't',
        type: 'string',
        demandOption: true,
        describe: 'Topic: NAME (in --project) or projects/PROJECT/topics/NAME',
      })
      .option('project', {
        type: 'string',
        describe: 'Project of a short topic name (default PUBSUB_PROJECT_ID, GOOGLE_CLOUD_PROJECT)',
      })
      .option('rows', { alias: 'n', type: 'string', default: '100k', describe: 'Messages to publish, faults included' })
      .option(
        'rate',
        numberOption('rate', {
          alias: 'r',
          min: 0,
          default: 2000,
          describe: 'Events per second (0 = as fast as the topic takes them)',
        }),
      )
      .option('seed', { alias: 's', type: 'string', default: String(GEN_DEFAULTS.seed), describe: 'Generator seed' })
      .option(
        'duplicates',
        numberOption('duplicates', {
          min: 0,
          max: 1,
          default: 0.01,
          describe: 'Share of messages re-publishing an earlier event (same transaction_id)',
        }),
      )
      .option(
        'invalid',
        numberOption('invalid', {
          min: 0,
          max: 1,
          default: 0.005,
          describe: 'Share of invalid messages (bad JSON, not UTF-8, missing fields, wrong types, bad values)',
        }),
      )
      .option(
        'late',
        numberOption('late', {
          min: 0,
          max: 1,
          default: 0.01,
          describe: 'Share of sales with an event time 5–15 minutes ago',
        }),
      )
      .option('first-row', {
        type: 'string',
        default: String(DEFAULT_FIRST_ROW),
        describe: "Row of the generator's data set to start at (default: after gen's 10M rows; 0 replays them)",
      })
      .option('create', { type: 'boolean', default: false, describe: 'Create the topic if it does not exist' })
      .option('domains', { type: 'string', describe: 'Categories/regions JSON file (default SALESFLOW_DOMAINS)' })
      .example('salesflow publish --topic sales --project my-proj --create', '100k events at 2,000/s, 1% duplicates…')
      .example(
        'PUBSUB_EMULATOR_HOST=127.0.0.1:8085 salesflow publish -t projects/local/topics/sales -n 1M -r 0',
        'as fast as possible, to the emulator',
      )
      .example('salesflow publish -t sales --duplicates 0 --invalid 0 --late 0', 'clean events only')
      .epilogue(
        'Each message is one sale as a JSON object with the schema columns, attribute event_time (RFC 3339) ' +
          'when it happened. Same --seed, same events (event times are the moment of sending). ' +
          'Honours PUBSUB_EMULATOR_HOST. The summary (stdout, not with --quiet) counts every kind sent; Ctrl-C stops sending ' +
          'and flushes what was sent.',
      ),
  handler: async (args) => {
    const rows = countFlag('rows', args.rows);
    const progress = createProgress({ label: 'publish', total: rows, unit: 'msg', enabled: showProgress(args) });
    const stop = new AbortController();
    const signals = handleStopSignals({ graceful: () => stop.abort() });
    try {
      const summary = await publishEvents({
        topic: args.topic,
        project: defaultPubSubProject(args.project),
        rows,
        rate: args.rate,
        seed: countFlag('seed', args.seed),
        duplicates: args.duplicates,
        invalid: args.invalid,
        late: args.late,
        firstRow: countFlag('first-row', args['first-row']),
        create: args.create,
        domains: loadDomains(args.domains),
        signal: stop.signal,
        onSent: (sent) => progress.set(sent),
      });
      progress.finish();
      printSummary(args, formatPublishSummary(summary));
    } finally {
      signals.dispose();
    }
  },
};
