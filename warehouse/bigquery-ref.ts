/**
 * How BigQuery SQL names a table or view: fully qualified and back-quoted. Views
 * need the qualified form (a view has no default dataset), so the warehouse and
 * the Terraform view templates name tables the same way.
 */
export function bigQueryRef(project: string, dataset: string, name: string): string {
  return `\`${project}.${dataset}.${name}\``;
}
