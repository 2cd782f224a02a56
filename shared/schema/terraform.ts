/**
 * The record's schema JSON in the form Terraform's google_bigquery_table takes (`schema = file(...)`).
 * `npm run terraform:generate` writes it to terraform/schemas/; a test fails if the
 * committed file drifts from the schema module.
 */
import { salesBigQuerySchema } from './bigquery.ts';

export const TERRAFORM_SALES_SCHEMA_PATH = 'terraform/schemas/sales.json';

export function terraformSalesSchemaJson(): string {
  return `${JSON.stringify(salesBigQuerySchema(), null, 2)}\n`;
}
