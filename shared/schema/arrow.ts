/**
 * Arrow schema derived from SALES_COLUMNS. Parquet written from it carries the
 * logical types DuckDB, polars and BigQuery expect: STRING, INT64, DATE,
 * DECIMAL(12,2); categorical strings are dictionary-encoded.
 */
import {
  type DataType,
  DataType as ArrowTypes,
  DateDay,
  DateUnit,
  Decimal,
  Dictionary,
  Field,
  Int32,
  Int64,
  Schema,
  Utf8,
} from 'apache-arrow';
import { type ColumnSpec, SALES_COLUMNS } from './columns.ts';
import type { FoundColumn } from './file-columns.ts';

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

/** What a column read through Arrow (parquet-wasm) is, in file-columns.ts's terms. */
export function arrowColumnKind(t: DataType): FoundColumn {
  const text = String(t);
  if (ArrowTypes.isUtf8(t) || ArrowTypes.isLargeUtf8(t)) return ['string', text];
  if (ArrowTypes.isDictionary(t)) return [ArrowTypes.isUtf8(t.dictionary) ? 'string' : 'other', text];
  if (ArrowTypes.isInt(t)) return [t.bitWidth === 64 && t.isSigned ? 'int64' : 'other', text];
  if (ArrowTypes.isDate(t)) return [t.unit === DateUnit.DAY ? 'date' : 'other', text];
  if (ArrowTypes.isDecimal(t)) {
    return [
      t.scale === 2 && t.bitWidth >= 64 ? 'decimal2' : 'other',
      `DECIMAL(${t.precision}, ${t.scale})`,
      t.precision,
    ];
  }
  return ['other', text];
}
