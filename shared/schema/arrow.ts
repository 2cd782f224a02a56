/**
 * Arrow schema derived from SALES_COLUMNS. Parquet written from it carries the
 * logical types DuckDB, polars and BigQuery expect: STRING, INT64, DATE,
 * DECIMAL(12,2); categorical strings are dictionary-encoded.
 */
import { DateDay, Decimal, Dictionary, Field, Int32, Int64, Schema, Utf8, type DataType } from 'apache-arrow';
import { type ColumnSpec, SALES_COLUMNS } from './columns.ts';

export function arrowType(col: ColumnSpec): DataType {
  switch (col.type) {
    case 'STRING':
      return col.dictionary ? new Dictionary(new Utf8(), new Int32()) : new Utf8();
    case 'INT64':
      return new Int64();
    case 'DATE':
      return new DateDay();
    case 'NUMERIC':
      // apache-arrow's Decimal takes (scale, precision, bitWidth).
      return new Decimal(col.scale ?? 0, col.precision ?? 38, 128);
  }
}

/** The sales Arrow schema, optionally without some columns (e.g. partition columns). */
export function salesArrowSchema(exclude: readonly string[] = []): Schema {
  return new Schema(
    SALES_COLUMNS.filter((c) => !exclude.includes(c.name)).map((c) => new Field(c.name, arrowType(c), false)),
  );
}
