/** `salesflow query`: run an analyst query on the warehouse and print it as a table, JSON or CSV. */
import type { CommandModule } from 'yargs';
import { SalesflowError, UsageError } from '../shared/errors.ts';
import { formatTable } from '../shared/format.ts';
import { log } from '../shared/log.ts';
import { numberOption } from '../shared/number-flag.ts';
import { showProgress } from '../shared/command-output.ts';
import { createProgress } from '../shared/progress.ts';
import { RefusedStatementError } from './access.ts';
import { WarehouseNotFoundError } from './errors.ts';
import { openWarehouse, WAREHOUSE_OPTION } from './open.ts';
import { TABLE_NAMES } from './tables.ts';
import { VIEW_NAMES } from './views.ts';
import { describeColumns, describeWarehouseObjects, resolveQueryInput } from './query.ts';
import { csvHeader, csvRows, jsonRow, OUTPUT_FORMATS, type OutputFormat, renderTable } from './render.ts';
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
  'allow-writes'?: boolean;
  'page-size': number;
  verbose?: boolean;
  quiet?: boolean;
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
      .option('warehouse', { ...WAREHOUSE_OPTION, alias: 'w' })
      .option('dataset', { type: 'string', describe: 'bigquery: dataset, when --warehouse names only the project' })
      .option('bigquery-endpoint', {
        type: 'string',
        describe: 'bigquery: API root of a test server (default BIGQUERY_EMULATOR_HOST)',
      })
      .option('location', { type: 'string', describe: 'bigquery: job location, e.g. EU (default US)' })
      .option('format', { alias: 'f', choices: OUTPUT_FORMATS, default: 'table' as const, describe: 'Output format' })
      .option('allow-writes', {
        type: 'boolean',
        describe:
          'Let the statement change the warehouse (INSERT, UPDATE, DELETE, CREATE, DROP…); without it queries are read-only',
      })
      .option('ensure', {
        type: 'boolean',
        describe: 'Create the warehouse and its missing tables and views first (a query alone never creates anything)',
      })
      .option(
        'page-size',
        numberOption('page-size', { integer: true, min: 1, default: 10_000, describe: 'Rows fetched per page' }),
      )
      .check((a) => {
        if (!a.list && a.sql === undefined && a.file === undefined && a.example === undefined) {
          throw new UsageError('give the SQL to run, --file PATH, --example NAME, or --list');
        }
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
      .example('salesflow query -w duckdb:data/demo/warehouse.duckdb --example top_customers', "the demo's warehouse")
      .example(
        `salesflow query --allow-writes "DELETE FROM quarantine_sales WHERE _source_file = 'old.csv'"`,
        'a change, allowed explicitly',
      )
      .epilogue(
        'One statement per run. Queries are read-only (DuckDB opens the file read-only; BigQuery dry-runs the ' +
          'statement and runs only SELECTs); --allow-writes lets a statement change tables. Either way a statement ' +
          'cannot read or write files, attach databases, change settings or load extensions. ' +
          `Parameters are always bound, never spliced into the SQL. Tables: ${TABLE_NAMES.join(', ')}; views: ` +
          `${VIEW_NAMES.join(', ')} — same names on DuckDB and BigQuery. Money columns are exact decimals; averages ` +
          'are exact to the cent. ' +
          'Exit 2 for invalid or refused SQL, 1 when the warehouse is busy or unreachable.',
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
    const where = { dataset: args.dataset, endpoint: args['bigquery-endpoint'], location: args.location };
    if (args.ensure) {
      const loader = await openWarehouse(args.warehouse, { ...where, access: 'pipeline' });
      try {
        await loader.ensure();
      } finally {
        await loader.close();
      }
    }
    const warehouse = await openWarehouse(args.warehouse, {
      ...where,
      access: args['allow-writes'] ? 'write' : 'read',
    }).catch((err: unknown) => {
      throw err instanceof WarehouseNotFoundError ? withHint(err, NO_WAREHOUSE_HINT) : err;
    });
    try {
      const started = performance.now();
      const progress = createProgress({
        label: 'fetching',
        unit: 'rows',
        enabled: showProgress(args),
      });
      const pages = refusalHint(warehouse.queryPages(input.sql, { params: input.params, pageSize: args['page-size'] }));
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
            process.stdout.write(`${jsonRows === 0 ? '[\n' : ',\n'}${jsonRow(r)}`);
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

const NO_WAREHOUSE_HINT =
  '`salesflow pipeline batch` loads one; `salesflow demo` leaves its own in data/demo/warehouse.duckdb ' +
  '(--warehouse duckdb:data/demo/warehouse.duckdb); --ensure creates an empty one';

/** The same error with a hint for the command line appended. */
function withHint(err: SalesflowError, hint: string): SalesflowError {
  return new SalesflowError(`${err.message} (${hint})`, {
    code: err.code,
    retry: err.retry,
    context: err.context,
    cause: err,
    exitCode: err.exitCode,
  });
}

/** A statement refused only for being a change says which flag allows it. */
async function* refusalHint<T>(pages: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* pages;
  } catch (err) {
    if (err instanceof RefusedStatementError && err.needsWrite) throw withHint(err, 'pass --allow-writes to run it');
    throw err;
  }
}
