/** `salesflow query`: run an analyst query on the warehouse and print it as a table, JSON or CSV. */
import type { CommandModule } from 'yargs';
import { UsageError } from '../shared/errors.ts';
import { formatTable } from '../shared/format.ts';
import { log } from '../shared/log.ts';
import { createProgress } from '../shared/progress.ts';
import { openWarehouse, WAREHOUSE_OPTION } from './open.ts';
import { TABLE_NAMES } from './tables.ts';
import { VIEW_NAMES } from './views.ts';
import { describeColumns, describeWarehouseObjects, resolveQueryInput } from './query.ts';
import { csvHeader, csvRows, OUTPUT_FORMATS, type OutputFormat, renderTable } from './render.ts';
import type { QueryResult } from './warehouse.ts';

interface Args {
  sql?: string;
  file?: string;
  example?: string;
  param?: string[];
  list?: boolean;
  warehouse?: string;
  dataset?: string;
  'bigquery-endpoint'?: string;
  location?: string;
  format: OutputFormat;
  ensure?: boolean;
  'page-size': number;
  verbose?: boolean;
}

export const queryCommand: CommandModule<object, Args> = {
  command: 'query [sql]',
  describe: 'Run an analyst query on the warehouse (embedded DuckDB by default, or BigQuery)',
  builder: (y) =>
    y
      .positional('sql', { type: 'string', describe: 'SQL to run; name parameters @like_this' })
      .option('param', {
        alias: 'p',
        type: 'string',
        array: true,
        describe:
          'Named parameter name=value or name:TYPE=value (STRING, INT64, NUMERIC, FLOAT64, BOOL, DATE, TIMESTAMP)',
      })
      .option('file', { type: 'string', describe: 'Read the SQL from a file' })
      .option('example', { type: 'string', describe: 'Run an example query from sql/examples (see --list)' })
      .option('list', {
        alias: 'l',
        type: 'boolean',
        describe: 'List tables, views and example queries (--list TABLE: its columns), then exit',
      })
      .option('warehouse', WAREHOUSE_OPTION)
      .option('dataset', { type: 'string', describe: 'bigquery: dataset, when --warehouse names only the project' })
      .option('bigquery-endpoint', {
        type: 'string',
        describe: 'bigquery: API root of a test server (default BIGQUERY_EMULATOR_HOST)',
      })
      .option('location', { type: 'string', describe: 'bigquery: job location, e.g. EU (default US)' })
      .option('format', { alias: 'f', choices: OUTPUT_FORMATS, default: 'table' as const, describe: 'Output format' })
      .option('ensure', {
        type: 'boolean',
        describe: 'Create missing tables and views first (default: yes for duckdb, no for bigquery)',
      })
      .option('page-size', { type: 'number', default: 10_000, describe: 'Rows fetched per page' })
      .check((a) => {
        if (!a.list && a.sql === undefined && a.file === undefined && a.example === undefined) {
          throw new UsageError('give the SQL to run, --file PATH, --example NAME, or --list');
        }
        if (!Number.isInteger(a['page-size']) || a['page-size'] < 1)
          throw new UsageError('--page-size must be a whole number ≥ 1', { field: 'page-size' });
        return true;
      })
      .example('salesflow query --list', 'tables, views and example queries')
      .example('salesflow query --list load_log', 'the columns of a table, with descriptions')
      .example('salesflow query "SELECT * FROM gold_sales_by_category ORDER BY total_sales DESC"', 'a gold view')
      .example(
        'salesflow query "SELECT * FROM silver_sales WHERE sales_region = @r AND transaction_date >= @d LIMIT 10" -p r=North -p d=2024-06-01',
        'named parameters (typed: 2024-06-01 is a DATE, 10 an INT64, 1.5 a NUMERIC; name:STRING=… forces a type)',
      )
      .example('salesflow query --example top_customers -p limit=5 -f csv', 'an example query as CSV')
      .example('salesflow query --file my.sql --warehouse bigquery:my-proj.sales -f json', 'on BigQuery')
      .epilogue(
        `Parameters are always bound, never spliced into the SQL. Tables: ${TABLE_NAMES.join(', ')}; views: ` +
          `${VIEW_NAMES.join(', ')} — same names on DuckDB and BigQuery. Money columns are exact decimals; averages ` +
          'are exact to the cent.',
      ),
  handler: async (args) => {
    if (args.list) {
      const only = args.sql ? describeColumns(args.sql) : undefined;
      if (args.sql && !only) {
        throw new UsageError(`--list ${args.sql}: not a table; tables: ${TABLE_NAMES.join(', ')}`, { field: 'list' });
      }
      const out = only
        ? formatTable(
            ['column', 'type', 'description'],
            only.map((c) => [c.name, c.type, c.description]),
          )
        : formatTable(
            ['kind', 'name', 'description'],
            describeWarehouseObjects().map((o) => [o.kind, o.name, o.description]),
          );
      process.stdout.write(`${out}\n`);
      return;
    }
    const input = resolveQueryInput({ sql: args.sql, file: args.file, example: args.example, params: args.param });
    const warehouse = await openWarehouse(args.warehouse, {
      dataset: args.dataset,
      endpoint: args['bigquery-endpoint'],
      location: args.location,
    });
    try {
      if (args.ensure ?? warehouse.dialect === 'duckdb') await warehouse.ensure();
      const started = performance.now();
      const progress = createProgress({
        label: 'fetching',
        unit: 'rows',
        enabled: process.stderr.isTTY === true || args.verbose === true,
      });
      const pages = warehouse.queryPages(input.sql, { params: input.params, pageSize: args['page-size'] });
      let total = 0;
      let jsonRows = 0;
      // Tables need every row to align columns; CSV and JSON stream page by page.
      const all: QueryResult = { fields: [], rows: [] };
      let first = true;
      for await (const page of pages) {
        total += page.rows.length;
        progress.add(page.rows.length);
        if (args.format === 'table') {
          all.fields = page.fields;
          for (const r of page.rows) all.rows.push(r);
        } else if (args.format === 'csv') {
          if (first) process.stdout.write(`${csvHeader(page.fields)}\n`);
          if (page.rows.length > 0) process.stdout.write(`${csvRows(page.fields, page.rows)}\n`);
        } else {
          for (const r of page.rows) {
            process.stdout.write(`${jsonRows === 0 ? '[\n' : ',\n'}${JSON.stringify(r)}`);
            jsonRows++;
          }
        }
        first = false;
      }
      progress.finish();
      if (args.format === 'table') process.stdout.write(`${renderTable(all.fields, all.rows)}\n`);
      if (args.format === 'json') process.stdout.write(total === 0 ? '[]\n' : '\n]\n');
      log.info(
        `${total} row${total === 1 ? '' : 's'} in ${((performance.now() - started) / 1000).toFixed(2)} s (${warehouse.target})`,
      );
    } finally {
      await warehouse.close();
    }
  },
};
