/** `salesflow aggregate`: flags → queries → aggregate() → a table, JSON or CSV on stdout. */
import type { CommandModule } from 'yargs';
import { numberOption } from '../shared/number-flag.ts';
import { log } from '../shared/log.ts';
import { showProgress } from '../shared/command-output.ts';
import { createProgress, type Progress } from '../shared/progress.ts';
import { describeColumnNames } from '../shared/schema/columns.ts';
import { ENGINES, type EngineName } from './engine.ts';
import { FORMATS, type OutputFormat, renderReports } from './output.ts';
import { buildQueries, DATE_PARTS, METRICS, type SortOrder } from './query.ts';
import { aggregate } from './run.ts';

interface Args {
  source: string;
  engine: EngineName;
  by?: string[];
  metrics?: string;
  where?: string[];
  top?: number;
  sort?: SortOrder;
  format: OutputFormat;
  workers?: number;
  'cache-dir'?: string;
  project?: string;
  'bigquery-endpoint'?: string;
  location?: string;
  verbose?: boolean;
  quiet?: boolean;
}

export const aggregateCommand: CommandModule<object, Args> = {
  command: 'aggregate <source>',
  describe: 'Totals per category, averages per region, or any --by/--metrics report (DuckDB / Arrow / BigQuery)',
  builder: (y) =>
    y
      .positional('source', {
        type: 'string',
        demandOption: true,
        describe: 'Parquet lake folder, .parquet or .csv file, gs://bucket/lake; for bigquery also dataset.table',
      })
      .option('engine', { alias: 'e', choices: ENGINES, default: 'duckdb' as const, describe: 'Who computes' })
      .option('by', {
        alias: 'b',
        type: 'string',
        array: true,
        describe: `Group by column(s): names or aliases, date:${DATE_PARTS.join('|')} (default: the two standard reports)`,
      })
      .option('metrics', {
        alias: 'm',
        type: 'string',
        describe: `Metrics of sale_amount, comma-separated: ${METRICS.join(',')} (default sum,avg,count)`,
      })
      .option('where', {
        alias: 'w',
        type: 'string',
        array: true,
        describe: 'Filter COLUMN OP VALUE (OP = != > >= < <=; a|b for several); repeat to AND',
      })
      .option(
        'top',
        numberOption('top', {
          alias: 't',
          integer: true,
          min: 1,
          describe: 'Keep the N groups with the largest first metric',
        }),
      )
      .option('sort', {
        choices: ['key', 'desc', 'asc'] as const,
        describe: 'Order: by group key, or by the first metric (default: key; desc with --top)',
      })
      .option('format', { alias: 'f', choices: FORMATS, default: 'table' as const, describe: 'Output format' })
      .option(
        'workers',
        numberOption('workers', {
          integer: true,
          min: 0,
          describe: 'arrow engine: worker threads (default: cores; 0 = main thread)',
        }),
      )
      .option('cache-dir', {
        type: 'string',
        describe: 'Local mirror of gs:// lakes for duckdb/arrow (default .salesflow/cache/gcs)',
      })
      .option('project', { type: 'string', describe: 'bigquery: project id (default GOOGLE_CLOUD_PROJECT)' })
      .option('bigquery-endpoint', {
        type: 'string',
        describe: 'bigquery: API root of a test server (default BIGQUERY_EMULATOR_HOST)',
      })
      .option('location', { type: 'string', describe: 'bigquery: job location, e.g. EU' })
      .example('salesflow aggregate data/lake', 'total per category (largest first), average per region')
      .example('salesflow aggregate data/lake -e arrow --where region=North', 'pure TypeScript; reads only North/')
      .example('salesflow aggregate data/lake --by date:month --metrics sum,count -f csv', 'monthly totals as CSV')
      .example('salesflow aggregate data/lake --by customer --top 10', 'the ten biggest customers')
      .example("salesflow aggregate data/lake --by region,category -w 'date>=2025-01-01' -w 'amount>100'", 'filters')
      .example('salesflow aggregate data/sales.csv', 'a CSV file directly (duckdb)')
      .example('salesflow aggregate gs://my-bucket/lake -e arrow', 'fetched to the local cache first, then read')
      .example('salesflow aggregate analytics.sales -e bigquery --project my-proj', 'pushed down to BigQuery')
      .epilogue(
        `Columns (name and aliases): ${describeColumnNames()}.\n` +
          'Amounts are exact: sums, minimums and maximums in integer cents; averages = exact sum / count, ' +
          'rounded half away from zero to the cent, identical on every engine. JSON/CSV amounts are decimal strings.',
      ),
  handler: async (args) => {
    const queries = buildQueries({
      by: args.by,
      metrics: args.metrics,
      where: args.where,
      top: args.top,
      sort: args.sort,
    });
    let progress: Progress | undefined;
    let step = '';
    const started = performance.now();
    const outcome = await aggregate({
      source: args.source,
      engine: args.engine,
      queries,
      workers: args.workers,
      cacheDir: args['cache-dir'],
      bigquery: { projectId: args.project, apiEndpoint: args['bigquery-endpoint'], location: args.location },
      onProgress: (s, done, total) => {
        if (s !== step) {
          progress?.finish();
          step = s;
          progress = createProgress({
            label: s === 'fetch' ? 'fetching' : 'scanning',
            total,
            unit: s === 'fetch' ? 'files' : 'parts',
            enabled: showProgress(args),
          });
        }
        progress?.set(done);
      },
    });
    progress?.finish();
    process.stdout.write(renderReports(outcome.reports, args.format));
    log.debug(
      `aggregate: ${outcome.engine} engine, ${outcome.readFrom}, ${((performance.now() - started) / 1000).toFixed(2)} s`,
    );
  },
};
