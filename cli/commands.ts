/**
 * Every subcommand, in --help order, loaded lazily: a command's module (and the
 * heavy libraries behind it — DuckDB, parquet-wasm, the Google clients) is only
 * imported when that command runs. A listing (`salesflow --help`, `--version`,
 * no command, a typo) registers each command's usage line and description from
 * this table instead, so it loads none of them; a test keeps the table equal to
 * the modules. Add a command here once its module exists.
 */
import type { Argv, CommandModule } from 'yargs';

// biome-ignore lint/suspicious/noExplicitAny: yargs command modules have heterogeneous argument types.
export type AnyCommand = CommandModule<any, any>;

export interface LazyCommand {
  /** The usage line, as the module's `command` (`to-parquet <input>`). */
  usage: string;
  describe: string;
  load?: () => Promise<AnyCommand>;
  /** A command group (`pipeline batch|stream|dims`): its own lazy subcommands. */
  subcommands?: LazyCommand[];
  /** A group's --help examples (a command's own are in its module). */
  examples?: readonly (readonly [command: string, description: string])[];
}

const PIPELINES: LazyCommand[] = [
  {
    usage: 'batch',
    describe: 'Load landing files into the warehouse: validate, de-duplicate, quarantine, log, archive',
    load: async () => (await import('../pipelines/batch/command.ts')).batchCommand,
  },
  {
    usage: 'stream',
    describe: 'Stream sale events from Pub/Sub into the warehouse: validate, de-duplicate, quarantine, gold per minute',
    load: async () => (await import('../pipelines/stream/command.ts')).streamCommand,
  },
  {
    usage: 'dims <source>',
    describe: 'Load dimension files (customers*.csv, products*.csv) into dim_customers / dim_products',
    load: async () => (await import('../pipelines/dims/command.ts')).dimsCommand,
  },
];

export const commands: LazyCommand[] = [
  {
    usage: 'gen',
    describe: 'Generate synthetic sales rows (seeded, reproducible, parallel) as CSV or NDJSON',
    load: async () => (await import('../generator/command.ts')).genCommand,
  },
  {
    usage: 'to-parquet <input>',
    describe: 'CSV/NDJSON → hive-partitioned Parquet (streamed, validated, atomic)',
    load: async () => (await import('../transform/command.ts')).toParquetCommand,
  },
  {
    usage: 'upload <src> <dest>',
    describe:
      'Upload a file or folder to gs://bucket/prefix or a local bucket folder (concurrent, verified, re-runnable)',
    load: async () => (await import('../upload/command.ts')).uploadCommand,
  },
  {
    usage: 'aggregate <source>',
    describe: 'Totals per category, averages per region, or any --by/--metrics report (DuckDB / Arrow / BigQuery)',
    load: async () => (await import('../aggregate/command.ts')).aggregateCommand,
  },
  {
    usage: 'publish',
    describe: 'Publish synthetic sale events to Pub/Sub (seeded, paced, with duplicates/invalid/late faults)',
    load: async () => (await import('../generator/publish-command.ts')).publishCommand,
  },
  {
    usage: 'pipeline',
    describe: `Run a data pipeline (${PIPELINES.map((p) => nameOf(p)).join(', ')})`,
    subcommands: PIPELINES,
    examples: [
      ['salesflow pipeline batch -s data/landing --archive data/archive', 'landing files → the local DuckDB warehouse'],
      [
        'salesflow pipeline stream -s sales-sub --project my-proj --until-idle 30s',
        'Pub/Sub → the warehouse until the subscription is quiet',
      ],
      ['salesflow pipeline dims data', "gen --dimensions' customers/products files → dim tables"],
      ['salesflow pipeline batch --help', "one pipeline's flags and more examples"],
    ],
  },
  {
    usage: 'query [sql]',
    describe: 'Run an analyst query on the warehouse (embedded DuckDB by default, or BigQuery)',
    load: async () => (await import('../warehouse/command.ts')).queryCommand,
  },
  {
    usage: 'dashboard',
    describe: 'Sales dashboard: serve it on 127.0.0.1 (refreshing while pipelines run) or write one HTML file (--out)',
    load: async () => (await import('../warehouse/dashboard/command.ts')).dashboardCommand,
  },
  {
    usage: 'looker',
    describe: 'Print Looker Studio links (Linking API) that open a report on each gold table or view in BigQuery',
    load: async () => (await import('../warehouse/looker-command.ts')).lookerCommand,
  },
  {
    usage: 'demo',
    describe: 'Run the whole flow locally on a small dataset (data/demo) and report each step',
    load: async () => (await import('./demo-command.ts')).demoCommand,
  },
  {
    usage: 'schema',
    describe:
      'Print the sales record schema (BigQuery JSON, DuckDB DDL, Arrow, Terraform) or write the Terraform files',
    load: async () => (await import('./schema-command.ts')).schemaCommand,
  },
];

/** Said when a command (or a group's subcommand) is missing: the help with the list is shown above it. */
export const SEE_LIST = '(see the list above)';

/** The word typed to run a command: `to-parquet` of `to-parquet <input>`. */
export function nameOf(c: LazyCommand): string {
  return c.usage.split(' ')[0];
}

/** A command as listed, without its module: usage and description only. */
function listed(c: LazyCommand): AnyCommand {
  return { command: c.usage, describe: c.describe, handler: () => {} };
}

/**
 * The commands to register for this argv: the ones named by the positional
 * words, loaded (`pipeline batch` loads only the batch pipeline), the rest
 * listed from the table.
 */
export async function loadCommands(
  argv: readonly string[],
  table: readonly LazyCommand[] = commands,
): Promise<AnyCommand[]> {
  const [first, ...rest] = argv.filter((a) => !a.startsWith('-'));
  const named = table.find((c) => nameOf(c) === first);
  if (!named) return table.map(listed);
  if (named.subcommands) {
    const subcommands = await loadCommands(rest, named.subcommands);
    const group = named.subcommands.map(nameOf);
    return [
      {
        command: named.usage,
        describe: named.describe,
        builder: (y: Argv) =>
          subcommands
            .reduce((acc, c) => acc.command(c), y)
            .example((named.examples ?? []).map(([cmd, what]) => [cmd, what]))
            .demandCommand(1, `Pick a ${nameOf(named)} ${SEE_LIST}: ${group.join(', ')}`),
        handler: () => {},
      },
    ];
  }
  return [await named.load!()];
}
