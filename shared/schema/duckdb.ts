/** DuckDB types and DDL derived from SALES_COLUMNS. */
import { type ColumnSpec, SALES_COLUMNS } from './columns.ts';

export function duckdbType(col: ColumnSpec): string {
  switch (col.type) {
    case 'STRING':
      return 'VARCHAR';
    case 'INT64':
      return 'BIGINT';
    case 'DATE':
      return 'DATE';
    case 'NUMERIC':
      return `DECIMAL(${col.precision}, ${col.scale})`;
  }
}

/** Column definitions, e.g. for CREATE TABLE; extra columns are appended. */
export function duckdbColumnDefs(extra: readonly string[] = []): string {
  return [...SALES_COLUMNS.map((c) => `${c.name} ${duckdbType(c)} NOT NULL`), ...extra].join(',\n  ');
}

export function salesTableDdl(table = 'sales', extra: readonly string[] = []): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (\n  ${duckdbColumnDefs(extra)}\n)`;
}

/** The `columns={...}` struct for read_csv, so DuckDB parses with our types. */
export function duckdbReadCsvColumns(): string {
  return `{${SALES_COLUMNS.map((c) => `'${c.name}': '${duckdbType(c)}'`).join(', ')}}`;
}
