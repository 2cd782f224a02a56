/** `salesflow pipeline dims DIR|gs://…`: load customers/products dimension files into the warehouse. */
import type { CommandModule } from 'yargs';
import { EXIT_PARTIAL } from '../../shared/errors.ts';
import { numberOption } from '../../shared/number-flag.ts';
import { printSummary } from '../../shared/command-output.ts';
import { CREATE_OPTION, WAREHOUSE_OPTION } from '../../warehouse/open.ts';
import { formatDimsReport } from './report.ts';
import { DEFAULT_DIMS_MAX_ERROR_RATE, runDims } from './run-dims.ts';

interface Args {
  source: string;
  warehouse?: string;
  dataset?: string;
  'bigquery-endpoint'?: string;
  'max-error-rate': number;
  create: boolean;
  quiet?: boolean;
}

export const dimsCommand: CommandModule<object, Args> = {
  command: 'dims <source>',
  describe: 'Load dimension files (customers*.csv, products*.csv) into dim_customers / dim_products',
  builder: (y) =>
    y
      .positional('source', {
        type: 'string',
        demandOption: true,
        describe: 'A folder, one file, or gs://bucket/prefix with customers*.csv / products*.csv (.gz too)',
      })
      .option('warehouse', { ...WAREHOUSE_OPTION, alias: 'w' })
      .option('create', CREATE_OPTION)
      .option('dataset', { type: 'string', describe: 'bigquery: dataset, when --warehouse names only the project' })
      .option('bigquery-endpoint', {
        type: 'string',
        describe: 'bigquery: API root of a test server (default BIGQUERY_EMULATOR_HOST)',
      })
      .option(
        'max-error-rate',
        numberOption('max-error-rate', {
          min: 0,
          max: 1,
          default: DEFAULT_DIMS_MAX_ERROR_RATE,
          describe: 'Largest share of invalid rows a file may have and still load (0..1)',
        }),
      )
      .example(
        'salesflow gen -n 100k --dimensions && salesflow pipeline dims data',
        'the generator output → local DuckDB',
      )
      .example('salesflow pipeline dims gs://my-bucket/dims -w bigquery:my-project.sales', 'from GCS into BigQuery')
      .epilogue(
        'Rows are upserted on customer_id / product_id: new keys are inserted, changed rows updated, identical rows ' +
          'left alone, so re-running never duplicates (a file version already in load_log is skipped). Invalid rows ' +
          'go to quarantine_dims with file, line and reasons; a file with a wrong header or more invalid rows than ' +
          '--max-error-rate loads nothing. Exit 3 when any row or file was rejected; 2 for bad flags, a source that ' +
          'does not exist or holds no customers*.csv / products*.csv, a DuckDB warehouse on, around or inside the ' +
          'source, a duckdb:PATH that is not a DuckDB database, or (--no-create) a warehouse lacking a table or view. ' +
          'The report goes to stdout (not with --quiet).',
      ),
  handler: async (args) => {
    const summary = await runDims({
      source: args.source,
      warehouse: args.warehouse,
      maxErrorRate: args['max-error-rate'],
      checkOnly: !args.create,
      warehouseOptions: { dataset: args.dataset, endpoint: args['bigquery-endpoint'] },
    });
    printSummary(args, formatDimsReport(summary));
    if (!summary.ok) process.exitCode = EXIT_PARTIAL;
  },
};
