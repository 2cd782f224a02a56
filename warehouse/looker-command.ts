/** `salesflow looker`: print Looker Studio links that open a report on each gold table or view in BigQuery. */
import type { CommandModule } from 'yargs';
import { UsageError } from '../shared/errors.ts';
import { lookerLinks, LOOKER_TABLES } from './looker.ts';
import { parseWarehouseSpec, WAREHOUSE_OPTION } from './open.ts';

interface Args {
  warehouse?: string;
  dataset?: string;
  table?: string;
  'billing-project'?: string;
  template?: string;
  'report-name'?: string;
  format: 'text' | 'json';
}

export const lookerCommand: CommandModule<object, Args> = {
  command: 'looker',
  describe: 'Print Looker Studio links (Linking API) that open a report on each gold table or view in BigQuery',
  builder: (y) =>
    y
      .option('warehouse', {
        ...WAREHOUSE_OPTION,
        alias: 'w',
        describe: 'bigquery:PROJECT.DATASET holding the gold tables and views',
      })
      .option('dataset', { type: 'string', describe: 'Dataset, when --warehouse names only the project' })
      .option('table', {
        alias: 't',
        type: 'string',
        describe: `One gold table or view (${LOOKER_TABLES.join(', ')})`,
      })
      .option('billing-project', { type: 'string', describe: 'Project billed for the queries (default: the project)' })
      .option('template', { type: 'string', describe: 'Report ID of a Looker Studio report to copy (c.reportId)' })
      .option('report-name', { type: 'string', describe: 'Name for the new report (default "salesflow — TABLE")' })
      .option('format', { alias: 'f', choices: ['text', 'json'] as const, default: 'text' as const })
      .example(
        'salesflow looker -w bigquery:my-project.sales',
        'one link per gold table or view, with the chart each suits',
      )
      .example(
        'salesflow looker -w bigquery:my-project.sales -t gold_sales_by_day_region --template 1a2b3c',
        'copy a template report',
      )
      .epilogue(
        'Opening a link signs you in to Looker Studio and creates a report whose data source is the table or view ' +
          '(run salesflow pipeline batch -w bigquery:… first so they exist; gold_sales_per_minute fills while ' +
          'salesflow pipeline stream runs). Nothing is sent anywhere by this command.',
      ),
  handler: (args) => {
    const spec = parseWarehouseSpec(args.warehouse ?? 'bigquery:', { dataset: args.dataset });
    if (spec.kind !== 'bigquery') {
      throw new UsageError('Looker Studio reads BigQuery: give --warehouse bigquery:PROJECT.DATASET', {
        field: 'warehouse',
      });
    }
    const links = lookerLinks({
      projectId: spec.project,
      datasetId: spec.dataset,
      table: args.table,
      billingProjectId: args['billing-project'],
      templateReportId: args.template,
      reportName: args['report-name'],
    });
    if (args.format === 'json') {
      process.stdout.write(`${JSON.stringify(links, null, 2)}\n`);
      return;
    }
    process.stdout.write(
      links.map((l) => `# ${l.table}: ${l.description}\n#   chart: ${l.chart}\n${l.url}\n`).join('\n'),
    );
  },
};
