/** BigQuery schema JSON derived from SALES_COLUMNS (tables.insert / Terraform `schema`). */
import { type ColumnSpec, SALES_COLUMNS } from './columns.ts';

export interface BigQueryField {
  name: string;
  type: string;
  mode: 'REQUIRED' | 'NULLABLE' | 'REPEATED';
  description?: string;
  precision?: string;
  scale?: string;
}

export function bigqueryField(col: ColumnSpec): BigQueryField {
  const f: BigQueryField = { name: col.name, type: col.type, mode: 'REQUIRED', description: col.description };
  if (col.type === 'NUMERIC') {
    f.precision = String(col.precision);
    f.scale = String(col.scale);
  }
  return f;
}

export function salesBigQuerySchema(extra: readonly BigQueryField[] = []): BigQueryField[] {
  return [...SALES_COLUMNS.map(bigqueryField), ...extra];
}
