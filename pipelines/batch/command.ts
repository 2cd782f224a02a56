/** `salesflow pipeline batch`: flags → runBatch, once or on an interval, with a per-file report. */
import type { CommandModule } from 'yargs';
import { printSummary, showProgress } from '../../shared/command-output.ts';
import { log } from '../../shared/log.ts';
import { numberOption } from '../../shared/number-flag.ts';
import { handleStopSignals } from '../../shared/stop-signals.ts';
import { batchExitCode } from './exit-code.ts';
import { formatBatchReport } from './report.ts';
import { type BatchOptions, DEFAULT_GROUP_BYTES, DEFAULT_MAX_ERROR_RATE, runBatch } from './run-batch.ts';
import { describeFailedPass, watchBatch } from './watch.ts';
import { parseInterval } from '../../shared/interval.ts';
import { CREATE_OPTION, WAREHOUSE_OPTION } from '../../warehouse/open.ts';

interface Args {
  source: string;
  once?: boolean;
  watch?: string;
  warehouse?: string;
  archive?: string;
  'delete-source'?: boolean;
  rejected?: string;
  'max-error-rate': number;
  'group-mb': number;
  'min-age': string;
  create: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

export const batchCommand: CommandModule<object, Args> = {
  command: 'batch',
  describe: 'Load landing files into the warehouse: validate, de-duplicate, quarantine, log, archive',
  builder: (y) =>
    y
      .option('source', {
        alias: 's',
        type: 'string',
        demandOption: true,
        describe: 'Landing area: gs://bucket/prefix or a folder (CSV, NDJSON, Parquet; .gz too)',
      })
      .option('once', { type: 'boolean', describe: 'Process what is there and exit (the default)' })
      .option('watch', {
        type: 'string',
        describe:
          'Keep running, looking for new files every INTERVAL (60s, 5m); a pass failing on a transient error is retried',
      })
      .option('warehouse', { ...WAREHOUSE_OPTION, alias: 'w' })
      .option('create', CREATE_OPTION)
      .option('archive', { type: 'string', describe: 'Move loaded files here (gs://… or a folder), after the commit' })
      .option('delete-source', { type: 'boolean', describe: 'Delete loaded files after the commit instead' })
      .option('rejected', {
        type: 'string',
        describe: 'Where rejected files go (default: rejected/ next to the landing area)',
      })
      .option(
        'max-error-rate',
        numberOption('max-error-rate', {
          min: 0,
          max: 1,
          default: DEFAULT_MAX_ERROR_RATE,
          describe: 'Largest share of invalid rows a file may have and still load (0..1)',
        }),
      )
      .option(
        'group-mb',
        numberOption('group-mb', {
          min: 0,
          default: DEFAULT_GROUP_BYTES / 2 ** 20,
          describe:
            'Commit files together in groups of up to this many MiB (one transaction each; 0: one file at a time)',
        }),
      )
      .option('min-age', {
        type: 'string',
        default: '0s',
        describe:
          'Leave files modified less recently than this (30s, 5m) for a later run: for writers that append in place',
      })
      .conflicts('once', 'watch')
      .conflicts('archive', 'delete-source')
      .check((a) => {
        if (a.watch !== undefined) parseInterval(a.watch);
        parseInterval(a['min-age'], 'min-age', 0);
        return true;
      })
      .example('salesflow pipeline batch -s data/landing --archive data/archive', 'local folder → local DuckDB')
      .example(
        'salesflow pipeline batch -s gs://my-bucket/landing -w bigquery:my-project.sales --archive gs://my-bucket/archive',
        'GCS → BigQuery (Parquet is validated inside BigQuery)',
      )
      .example('salesflow pipeline batch -s data/landing --watch 60s --delete-source', 'poll every minute')
      .example(
        'salesflow pipeline batch -s gs://my-bucket/landing -w bigquery:my-project.salesflow --no-create',
        'into a dataset Terraform made: check its tables and views, create none',
      )
      .epilogue(
        'Each file is loaded whole or not at all: valid rows go to bronze_sales and (new transaction_ids only) ' +
          'silver_sales, invalid rows to quarantine_sales with file, line and reasons, and a load_log row is written ' +
          'in the same transaction (one per group of files, see --group-mb). A file is archived/deleted only after ' +
          'that commit; a file with a bad layout or ' +
          'more invalid rows than --max-error-rate is moved to the rejected area. Re-runs never load a logged file ' +
          'again. What is loaded, logged and archived is one verified copy of each file: a file that changes while ' +
          'it is read is left in place (waiting) and loaded whole by a later run. ' +
          'Exit 0 when every new file loaded whole (or there was none); 3 when a file was rejected or rows were quarantined; ' +
          '2 for invalid flags, a source that does not exist, an archive, rejected area or DuckDB warehouse on, around or ' +
          'inside the landing area, a duckdb:PATH that is not a DuckDB database, or (--no-create) a warehouse lacking a ' +
          'table or view; 1 when the run failed (the warehouse busy or ' +
          'unreachable, a file not archived): files stay in place for the next run. ' +
          'The report (each pass with --watch) goes to stdout (not with --quiet); progress to stderr on a TTY or with --verbose.',
      ),
  handler: async (args) => {
    if (args.watch === undefined) {
      const summary = await runBatch(batchOptions(args));
      printSummary(args, formatBatchReport(summary));
      process.exitCode = batchExitCode(summary);
      return;
    }
    const intervalMs = parseInterval(args.watch);
    const stop = new AbortController();
    // First SIGINT/SIGTERM: finish the pass in progress; a second one ends the process.
    handleStopSignals({
      graceful: () => {
        log.info('stopping after the current pass');
        stop.abort();
      },
    });
    const result = await watchBatch(() => runBatch(batchOptions(args)), {
      intervalMs,
      signal: stop.signal,
      onPass: (summary) => printSummary(args, formatBatchReport(summary)),
      onTransientError: (err) => log.warn(describeFailedPass(err, intervalMs)),
    });
    process.exitCode = result.exitCode;
  },
};

function batchOptions(args: Args): BatchOptions {
  return {
    source: args.source,
    warehouse: args.warehouse,
    archive: args.archive,
    deleteSource: args['delete-source'],
    rejected: args.rejected,
    maxErrorRate: args['max-error-rate'],
    groupBytes: args['group-mb'] * 2 ** 20,
    minAgeMs: parseInterval(args['min-age'], 'min-age', 0),
    progress: showProgress(args),
    checkOnly: !args.create,
    onFile: (o) => log.debug(`${o.key}: ${o.status}${o.disposition ? `, ${o.disposition}` : ''}`),
  };
}
