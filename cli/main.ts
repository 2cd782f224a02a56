/**
 * The `salesflow` binary: one yargs program, one module per subcommand. Each
 * command module only parses flags and calls library functions.
 */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { describeError, EXIT_FAILURE, EXIT_USAGE, SalesflowError } from '../shared/errors.ts';
import { exitOnSignals } from '../shared/cleanup.ts';
import { setLogLevel } from '../shared/log.ts';
import { type AnyCommand, loadCommands, SEE_LIST } from './commands.ts';

const NO_COMMAND = `Pick a command ${SEE_LIST}.`;

export function buildCli(argv: string[], commands: readonly AnyCommand[]): Argv {
  let cli = yargs(argv)
    .scriptName('salesflow')
    .usage(
      'salesflow — sales data from synthetic generation to analyst-ready tables.\n\n' +
        'Usage: salesflow <command> [options]\n\n' +
        'Typical flow (local by default; gs:// and BigQuery when asked), or all of it with `salesflow demo`:\n' +
        '1. salesflow gen --rows 1M --out data/sales.csv\n' +
        '2. salesflow to-parquet data/sales.csv -o data/lake -p region\n' +
        '3. salesflow upload data/lake data/bucket/landing -w 8      (or gs://my-bucket/landing)\n' +
        '4. salesflow pipeline batch -s data/bucket/landing          (→ .salesflow/warehouse.duckdb, or -w bigquery:PROJECT.DATASET)\n' +
        '5. salesflow aggregate data/lake   ·   salesflow query --list   ·   salesflow query --example top_customers',
    )
    .option('verbose', {
      alias: 'v',
      type: 'boolean',
      global: true,
      describe: 'More logging; progress even when not a TTY',
    })
    .option('quiet', {
      alias: 'q',
      type: 'boolean',
      global: true,
      describe: 'Only errors: no progress, logs or summary line (query, aggregate and schema output still print)',
    })
    .middleware((args) => {
      if (args.quiet) setLogLevel('error');
      else if (args.verbose) setLogLevel('debug');
    })
    .strict()
    .demandCommand(1, NO_COMMAND)
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .example([
      ['salesflow demo', 'the whole flow on 1M rows in data/demo, each step reported'],
      ['salesflow gen --help', "a command's flags and examples"],
      ['salesflow pipeline --help', 'the pipelines (batch, stream, dims)'],
    ])
    .epilogue(
      'Results and summary lines go to stdout, progress (on a TTY or with --verbose) and logs to stderr. ' +
        'Exit codes: 0 ok, 1 the job failed, 2 invalid usage or input refused, 3 finished with rejected data.',
    )
    .fail((msg, err, y) => {
      // Errors from handlers (and ours from .check) keep their own exit code; yargs' own
      // (a bad flag, a failed coerce, a missing value) are usage errors.
      if (err && err.name !== 'YError') throw err;
      if (msg?.includes(SEE_LIST)) y.showHelp((help) => process.stderr.write(`${help}\n\n`));
      process.stderr.write(`error: ${msg ?? err?.message}\nRun with --help for usage.\n`);
      process.exit(EXIT_USAGE);
    });
  for (const command of commands) cli = cli.command(command);
  return cli;
}

export async function main(argv: string[] = hideBin(process.argv)): Promise<void> {
  // Ctrl-C, SIGTERM, SIGHUP: stop workers and remove temp outputs, then die by the signal.
  exitOnSignals();
  try {
    await buildCli(argv, await loadCommands(argv)).parseAsync();
  } catch (err) {
    process.stderr.write(`error: ${describeError(err)}\n`);
    if (err instanceof SalesflowError) {
      if (err.transient) process.stderr.write('(this looks transient: retrying may help)\n');
      process.exitCode = err.exitCode;
    } else {
      if (process.env.SALESFLOW_LOG === 'debug' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
      process.exitCode = EXIT_FAILURE;
    }
  }
}

await main();
