/** `salesflow dashboard`: serve the sales dashboard on 127.0.0.1, or write it as one self-contained HTML file. */
import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { EXIT_FAILURE } from '../../shared/errors.ts';
import { formatBytes } from '../../shared/format.ts';
import { parseInterval } from '../../shared/interval.ts';
import { log } from '../../shared/log.ts';
import { numberOption } from '../../shared/number-flag.ts';
import { parseWarehouseSpec, WAREHOUSE_OPTION, warehousePlaces } from '../open.ts';
import { parseReportFilters } from './filters.ts';
import { loadReportModel } from './report-model.ts';
import { startDashboardServer } from './server.ts';
import { writeReportFile } from './write-report.ts';

interface Args {
  warehouse?: string;
  dataset?: string;
  'bigquery-endpoint'?: string;
  location?: string;
  port: number;
  refresh: string;
  out?: string;
  force?: boolean;
  from?: string;
  to?: string;
  region?: string;
}

/** `--refresh 10s` → seconds; `0` or `off` turns refreshing off. */
function refreshSeconds(text: string): number {
  if (/^\s*(0|off)\s*$/i.test(text)) return 0;
  return Math.round(parseInterval(text, 'refresh') / 1000);
}

export const dashboardCommand: CommandModule<object, Args> = {
  command: 'dashboard',
  describe: 'Sales dashboard: serve it on 127.0.0.1 (refreshing while pipelines run) or write one HTML file (--out)',
  builder: (y) =>
    y
      .option('warehouse', { ...WAREHOUSE_OPTION, alias: 'w' })
      .option('dataset', { type: 'string', describe: 'bigquery: dataset, when --warehouse names only the project' })
      .option('bigquery-endpoint', {
        type: 'string',
        describe: 'bigquery: API root of a test server (default BIGQUERY_EMULATOR_HOST)',
      })
      .option('location', { type: 'string', describe: 'bigquery: job location, e.g. EU (default US)' })
      .option(
        'port',
        numberOption('port', {
          alias: 'p',
          integer: true,
          min: 0,
          max: 65535,
          default: 8080,
          describe: 'Port on 127.0.0.1 (0: any free port)',
        }),
      )
      .option('refresh', {
        type: 'string',
        default: '10s',
        describe: 'How often the page reloads its data (10s, 1m; 0 or off: never)',
      })
      .option('out', {
        alias: 'o',
        type: 'string',
        describe: 'Write the report to this self-contained HTML file and exit',
      })
      .option('force', { alias: 'f', type: 'boolean', describe: 'Replace an existing --out file' })
      .option('from', { type: 'string', describe: 'First sale date shown (YYYY-MM-DD)' })
      .option('to', { type: 'string', describe: 'Last sale date shown (YYYY-MM-DD)' })
      .option('region', { type: 'string', describe: 'One sales region' })
      .check((a) => {
        refreshSeconds(a.refresh);
        parseReportFilters({ from: a.from, to: a.to, region: a.region });
        return true;
      })
      .example('salesflow dashboard', 'serve http://127.0.0.1:8080/ on the local DuckDB warehouse')
      .example('salesflow dashboard -w bigquery:my-project.sales --refresh 30s', 'on BigQuery, refreshing every 30 s')
      .example(
        'salesflow dashboard --out report.html',
        'one file with data and charts inlined: opens offline, can be mailed',
      )
      .example('salesflow dashboard --out north.html --region North --from 2025-01-01', 'a filtered report file')
      .epilogue(
        'The page shows KPI cards, sales by day and region, category and region bars, top customers, category ' +
          'performance, load health, quarantine reasons and, when the streaming pipeline has created ' +
          'gold_sales_per_minute, live per-minute totals. Filters (dates, region) are applied in the warehouse as ' +
          'bound parameters. Charts are Apache ECharts served from this installation: the page requests nothing ' +
          'from any other host. The warehouse is only read (never created or changed); a missing, empty or ' +
          'unreachable warehouse is shown as such on the page.',
      ),
  handler: async (args) => {
    const warehouseOptions = { dataset: args.dataset, endpoint: args['bigquery-endpoint'], location: args.location };
    const filters = parseReportFilters({ from: args.from, to: args.to, region: args.region });
    if (args.out !== undefined) {
      const model = await loadReportModel({
        warehouse: args.warehouse,
        warehouseOptions,
        filters,
        refuseMissing: true,
      });
      // The report may not land on (or around) the warehouse it reads.
      const inputs = warehousePlaces(parseWarehouseSpec(args.warehouse, warehouseOptions));
      const bytes = await writeReportFile(model, args.out, { force: args.force, inputs });
      process.stdout.write(`${resolve(args.out)}\n`);
      log.info(`report written (${formatBytes(bytes)}, ${model.warehouse}, ${model.filterText})`);
      if (model.notice) log.warn(model.notice.message);
      if (model.notice?.level === 'error') process.exitCode = EXIT_FAILURE;
      return;
    }
    const dashboard = await startDashboardServer({
      port: args.port,
      refreshSeconds: refreshSeconds(args.refresh),
      load: (filters) => loadReportModel({ warehouse: args.warehouse, warehouseOptions, filters }),
    });
    // The filters given here are the page's first ones: they travel in its address, as the page's own form puts them.
    const query = new URLSearchParams(Object.entries(filters)).toString();
    process.stdout.write(`dashboard at ${dashboard.url}${query ? `?${query}` : ''} (Ctrl-C to stop)\n`);
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    await dashboard.close();
  },
};
