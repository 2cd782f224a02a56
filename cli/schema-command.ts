/** `salesflow schema`: print the record schema in each derived form. */
import type { CommandModule } from 'yargs';
import {
  describeColumnNames,
  salesBigQuerySchema,
  salesTableDdl,
  terraformSalesSchemaJson,
} from '../shared/schema/index.ts';
import { salesArrowSchema } from '../shared/schema/arrow.ts';

const FORMATS = ['columns', 'bigquery', 'duckdb', 'arrow', 'terraform'] as const;

export function renderSchema(format: (typeof FORMATS)[number]): string {
  switch (format) {
    case 'columns':
      return describeColumnNames();
    case 'bigquery':
      return JSON.stringify(salesBigQuerySchema(), null, 2);
    case 'duckdb':
      return `${salesTableDdl()};`;
    case 'arrow':
      return salesArrowSchema()
        .fields.map((f) => `${f.name}: ${f.type}`)
        .join('\n');
    case 'terraform':
      return terraformSalesSchemaJson().trimEnd();
  }
}

export const schemaCommand: CommandModule<object, { format: (typeof FORMATS)[number] }> = {
  command: 'schema',
  describe: 'Print the sales record schema (BigQuery JSON, DuckDB DDL, Arrow, Terraform)',
  builder: (y) =>
    y
      .option('format', { alias: 'f', choices: FORMATS, default: 'columns' as const, describe: 'Which form to print' })
      .example('salesflow schema -f bigquery', 'BigQuery schema JSON for tables.insert / bq mk'),
  handler: (args) => {
    process.stdout.write(`${renderSchema(args.format)}\n`);
  },
};
