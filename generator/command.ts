/** `salesflow gen`: flags → generateSales; progress on a TTY, a one-line summary on stdout. */
import type { CommandModule } from 'yargs';
import { formatBytes, formatCount, formatDuration } from '../shared/format.ts';
import { printSummary, showProgress } from '../shared/command-output.ts';
import { createProgress } from '../shared/progress.ts';
import { loadDomains } from '../shared/schema/domains.ts';
import { generateSales, type GenSummary } from './generate.ts';
import { countFlag, GEN_DEFAULTS, GEN_FORMATS, type GenFormat, type GenOptions } from './options.ts';

interface GenArgs {
  rows: string;
  'batch-size': string;
  seed: string;
  out: string;
  workers?: string;
  'start-date': string;
  'end-date': string;
  customers: string;
  format: GenFormat;
  dimensions: boolean;
  domains?: string;
  force: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

export function genOptionsFromArgs(args: GenArgs): GenOptions {
  return {
    rows: countFlag('rows', args.rows),
    batchSize: countFlag('batch-size', args['batch-size']),
    seed: countFlag('seed', args.seed),
    out: args.out,
    workers: args.workers === undefined ? undefined : countFlag('workers', args.workers),
    startDate: args['start-date'],
    endDate: args['end-date'],
    customers: countFlag('customers', args.customers),
    format: args.format,
    dimensions: args.dimensions,
    force: args.force,
    domains: loadDomains(args.domains),
    domainsFile: args.domains ?? process.env.SALESFLOW_DOMAINS,
  };
}

export function formatGenSummary(s: GenSummary): string {
  const dims = s.dimensions ? ` (+ ${s.dimensions.customers}, ${s.dimensions.products})` : '';
  return (
    `gen: ${formatCount(s.rows)} rows, ${formatBytes(s.bytes)} in ${formatDuration(s.seconds)} ` +
    `(${formatCount(Math.round(s.rowsPerSecond))} rows/s, ${s.workers} workers) → ${s.out}${dims}`
  );
}

export const genCommand: CommandModule<object, GenArgs> = {
  command: 'gen',
  describe: 'Generate synthetic sales rows (seeded, reproducible, parallel) as CSV or NDJSON',
  builder: (y) =>
    y
      .option('rows', {
        alias: 'n',
        type: 'string',
        default: String(GEN_DEFAULTS.rows),
        describe: 'Rows to generate (1e6, 250k, 10M ok)',
      })
      .option('batch-size', {
        alias: 'b',
        type: 'string',
        default: String(GEN_DEFAULTS.batchSize),
        describe: 'Rows per batch; each batch has its own seeded random stream',
      })
      .option('seed', {
        alias: 's',
        type: 'string',
        default: String(GEN_DEFAULTS.seed),
        describe: 'Random seed: same seed + options = byte-identical output',
      })
      .option('out', {
        alias: 'o',
        type: 'string',
        default: GEN_DEFAULTS.out,
        describe: 'Output file (written to a temp sibling, renamed when complete)',
      })
      .option('workers', {
        alias: 'w',
        type: 'string',
        describe: 'Worker threads (default: CPU cores; 0 = this thread). Never changes the output',
      })
      .option('start-date', {
        type: 'string',
        default: GEN_DEFAULTS.startDate,
        describe: 'First sale date (YYYY-MM-DD)',
      })
      .option('end-date', { type: 'string', default: GEN_DEFAULTS.endDate, describe: 'Last sale date (YYYY-MM-DD)' })
      .option('customers', {
        alias: 'c',
        type: 'string',
        default: String(GEN_DEFAULTS.customers),
        describe: 'Distinct customers (popularity is Zipf-skewed)',
      })
      .option('format', {
        alias: 'F',
        choices: GEN_FORMATS,
        default: GEN_DEFAULTS.format,
        describe: 'csv (with header) or ndjson',
      })
      .option('dimensions', {
        type: 'boolean',
        default: false,
        describe: 'Also write customers.csv and products.csv next to the output',
      })
      .option('domains', {
        type: 'string',
        describe: 'JSON file with {"categories": [...], "regions": [...]} (default: SALESFLOW_DOMAINS or built-in)',
      })
      .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'Replace existing output files' })
      .example('salesflow gen', '10M rows in 1M-row batches to data/sales.csv')
      .example('salesflow gen -n 1M -o /tmp/s.csv --seed 7', '1M rows with another seed')
      .example(
        'salesflow gen -n 100k -F ndjson -o data/sales.ndjson --dimensions',
        'NDJSON plus customers.csv and products.csv',
      )
      .example(
        'salesflow gen --start-date 2025-01-01 --end-date 2025-03-31 -c 5000 -f',
        'one quarter, 5,000 customers, replace the output',
      )
      .epilogue(
        'The output is byte-identical for the same seed and options whatever --workers is. ' +
          'The summary line (rows, bytes, time, output) goes to stdout, progress to stderr on a TTY (or with ' +
          '--verbose); --quiet prints neither. Exit 2 for a bad flag or an existing output without -f, 1 when the ' +
          'output cannot be written.',
      ),
  handler: async (args) => {
    const options = genOptionsFromArgs(args);
    const progress = createProgress({ label: 'gen', total: options.rows, unit: 'rows', enabled: showProgress(args) });
    // Interrupted (SIGINT/SIGTERM/SIGHUP), the CLI stops the workers and removes the temp output (shared/cleanup.ts).
    const summary = await generateSales(options, { onProgress: (p) => progress.set(p.rows, p.bytes) });
    progress.finish();
    printSummary(args, formatGenSummary(summary));
  },
};
