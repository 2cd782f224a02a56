/** `salesflow schema`: print the record schema in each derived form, or write the Terraform files. */
import type { CommandModule } from 'yargs';
import { EXIT_FAILURE, UsageError } from '../shared/errors.ts';
import {
  describeColumnNames,
  salesBigQuerySchema,
  salesTableDdl,
  terraformSalesSchemaJson,
} from '../shared/schema/index.ts';
import { salesArrowSchema } from '../shared/schema/arrow.ts';

const FORMATS = ['columns', 'bigquery', 'duckdb', 'arrow', 'terraform'] as const;

interface Args {
  format: (typeof FORMATS)[number];
  out?: string;
  check?: boolean;
}

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

export const schemaCommand: CommandModule<object, Args> = {
  command: 'schema',
  describe: 'Print the sales record schema (BigQuery JSON, DuckDB DDL, Arrow, Terraform) or write the Terraform files',
  builder: (y) =>
    y
      .option('format', { alias: 'f', choices: FORMATS, default: 'columns' as const, describe: 'Which form to print' })
      .option('out', {
        alias: 'o',
        type: 'string',
        describe:
          'With -f terraform: write every generated Terraform file (table schemas, tables.json, view templates, views.json) into this directory, removing stale ones',
      })
      .option('check', {
        type: 'boolean',
        describe: 'With -f terraform -o DIR: write nothing, exit 1 if the files in DIR differ from the code',
      })
      .check((a) => {
        if (a.out !== undefined && a.format !== 'terraform') throw new UsageError('--out needs -f terraform');
        if (a.check && a.out === undefined) throw new UsageError('--check needs -o DIR (the Terraform directory)');
        return true;
      })
      .example('salesflow schema -f bigquery', 'BigQuery schema JSON for tables.insert / bq mk')
      .example(
        'salesflow schema -f terraform -o terraform',
        'regenerate terraform/schemas, tables.json, views/, views.json',
      )
      .example(
        'salesflow schema -f terraform -o terraform --check',
        'fail when the Terraform files drift from the code',
      ),
  handler: async (args) => {
    if (args.out === undefined) {
      process.stdout.write(`${renderSchema(args.format)}\n`);
      return;
    }
    // The generator knows the warehouse's tables and views; loaded only when asked for.
    const { terraformDrift, writeTerraformFiles, TERRAFORM_GENERATE_COMMAND } = await import(
      '../warehouse/terraform-files.ts'
    );
    if (args.check) {
      const drift = await terraformDrift(args.out);
      for (const d of drift) process.stdout.write(`${d.kind}: ${d.path}\n`);
      if (drift.length > 0) {
        process.stderr.write(
          `${drift.length} Terraform file(s) differ from the code; run ${TERRAFORM_GENERATE_COMMAND}\n`,
        );
        process.exitCode = EXIT_FAILURE;
      } else process.stdout.write(`Terraform files in ${args.out} match the code\n`);
      return;
    }
    const summary = await writeTerraformFiles(args.out);
    for (const path of summary.written) process.stdout.write(`wrote ${path}\n`);
    for (const path of summary.removed) process.stdout.write(`removed ${path}\n`);
    process.stdout.write(
      `${summary.written.length} written, ${summary.removed.length} removed, ${summary.unchanged.length} unchanged in ${args.out}\n`,
    );
  },
};
