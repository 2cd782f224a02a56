/**
 * The writer's ProtoSchema against the destination table, as BigQuery checks it:
 * a proto field the table lacks is a schema mismatch, a proto type the column
 * cannot take is refused (both end the connection); then each serialized row is
 * decoded and turned into the text of each column value, or into row errors
 * (the whole request is refused, nothing lands).
 *
 * Value encodings (https://cloud.google.com/bigquery/docs/supported-data-types):
 * TIMESTAMP is int64 microseconds since the epoch (a millisecond count lands in
 * January 1970), DATE is int32 days since the epoch, NUMERIC is a decimal string
 * (what the JSONWriter sends) or BigDecimalByteStringEncoder bytes, BOOL may be
 * an integer. Proto fields match columns by name, case-insensitively.
 */
import * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { formatEpochDay, parseIsoDate } from '../../../shared/dates.ts';
import { checkRow } from '../../../warehouse/row-check.ts';
import { type BqField, canonicalDecimal } from '../bigquery-server/encode.ts';
import { invalidArgument, storageError } from './errors.ts';
import { typeFromDescriptor } from './protos.ts';

/** Proto scalar types (protobufjs names) each BigQuery column type accepts. */
const ACCEPTED: Record<string, readonly string[]> = {
  STRING: ['string'],
  INT64: ['int32', 'int64', 'uint32', 'sint32', 'sint64', 'sfixed32', 'sfixed64', 'fixed32'],
  FLOAT64: ['double', 'float'],
  BOOL: ['bool', 'int32', 'int64', 'uint32', 'uint64'],
  NUMERIC: ['int32', 'int64', 'uint32', 'uint64', 'double', 'float', 'string', 'bytes'],
  DATE: ['int32', 'int64', 'string'],
  TIMESTAMP: ['int64', 'int32', 'uint32'],
};

const MIN_DATE_DAYS = -719_162; // 0001-01-01
const MAX_DATE_DAYS = 2_932_896; // 9999-12-31
const MICROS_PER_DAY = 86_400_000_000n;
const MIN_TIMESTAMP_MICROS = BigInt(MIN_DATE_DAYS) * MICROS_PER_DAY;
const MAX_TIMESTAMP_MICROS = BigInt(MAX_DATE_DAYS + 1) * MICROS_PER_DAY - 1n;
/** BigDecimalByteStringEncoder: the unscaled value at scale 9, two's complement, little-endian. */
const NUMERIC_BYTES_SCALE = 9;

interface Binding {
  column: BqField;
  /** The proto field feeding this column, or undefined when the writer's schema leaves it out. */
  protoName?: string;
  protoType?: string;
}

export interface RowError {
  index: number;
  message: string;
}

export type DecodedRows = { ok: true; rows: (string | null)[][] } | { ok: false; rowErrors: RowError[] };

export class WriterSchema {
  /** The table columns each decoded row has a value for, in order. */
  readonly columns: readonly string[];
  private readonly type: protobuf.Type;
  private readonly bindings: Binding[];

  /** Throws WriteApiError (INVALID_ARGUMENT) when the schema does not fit the table. */
  constructor(descriptorProto: unknown, columns: readonly BqField[], entity: string) {
    let type: protobuf.Type;
    try {
      type = typeFromDescriptor(descriptorProto);
      type.resolveAll();
    } catch (err) {
      throw invalidArgument(`Invalid proto schema: ${err instanceof Error ? err.message : String(err)}.`, entity);
    }
    const byName = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
    const extra = type.fieldsArray.filter((f) => !byName.has(f.name.toLowerCase())).map((f) => f.name);
    if (extra.length > 0) {
      throw storageError(
        grpc.status.INVALID_ARGUMENT,
        'SCHEMA_MISMATCH_EXTRA_FIELDS',
        entity,
        `Input schema has more fields than BigQuery schema, extra fields: '${extra.join(',')}'`,
        'Schema mismatch due to extra fields in user schema',
      );
    }
    const protoByColumn = new Map(type.fieldsArray.map((f) => [f.name.toLowerCase(), f]));
    this.bindings = columns.map((column) => {
      const field = protoByColumn.get(column.name.toLowerCase());
      if (field === undefined) return { column };
      const ok = !field.repeated && !field.resolvedType && (ACCEPTED[column.type] ?? []).includes(field.type);
      if (!ok) {
        throw invalidArgument(
          `The proto field mismatched with BigQuery field at ${type.name}.${field.name}, the proto field type ${field.repeated ? 'repeated ' : ''}${field.type}, BigQuery field type ${column.type}`,
          entity,
        );
      }
      return { column, protoName: field.name, protoType: field.type };
    });
    this.type = type;
    this.columns = this.bindings.map((b) => b.column.name);
  }

  /** Each row's column values as text (cast to the column type on insert), or the errors of every bad row. */
  decode(serializedRows: readonly Uint8Array[]): DecodedRows {
    const rows: (string | null)[][] = [];
    const rowErrors: RowError[] = [];
    serializedRows.forEach((bytes, index) => {
      let object: Record<string, unknown>;
      try {
        object = this.type.toObject(this.type.decode(bytes), { longs: String, defaults: false });
      } catch (err) {
        rowErrors.push({ index, message: `Could not parse the serialized row: ${(err as Error).message}` });
        return;
      }
      const reasons: string[] = [];
      const values = this.bindings.map(({ column, protoName, protoType }) => {
        const v = protoName === undefined ? undefined : object[protoName];
        if (v === undefined || v === null) {
          if (column.mode === 'REQUIRED') reasons.push(`Required field ${column.name} cannot be null`);
          return null;
        }
        const text = columnText(column, protoType!, v);
        if (typeof text === 'object') {
          reasons.push(`Field ${column.name}: ${text.reason}`);
          return null;
        }
        return text;
      });
      if (reasons.length > 0) rowErrors.push({ index, message: reasons.join('; ') });
      else rows.push(values);
    });
    return rowErrors.length > 0 ? { ok: false, rowErrors } : { ok: true, rows };
  }
}

function columnText(column: BqField, protoType: string, v: unknown): string | { reason: string } {
  switch (column.type) {
    case 'BOOL':
      return protoType === 'bool' ? String(v) : String(BigInt(v as string | number) !== 0n);
    case 'DATE':
      return protoType === 'string' ? dateFromString(v as string) : dateFromDays(Number(v));
    case 'TIMESTAMP':
      return timestampFromMicros(BigInt(v as string | number));
    case 'NUMERIC':
      return numericText(column, protoType === 'bytes' ? decimalFromBytes(v as Uint8Array) : String(v));
    default:
      return String(v);
  }
}

function dateFromDays(days: number): string | { reason: string } {
  if (days < MIN_DATE_DAYS || days > MAX_DATE_DAYS) return { reason: `DATE ${days} days is out of range` };
  return formatEpochDay(days);
}

function dateFromString(text: string): string | { reason: string } {
  return Number.isNaN(parseIsoDate(text)) ? { reason: `Could not parse '${text}' as DATE` } : text;
}

/** Microseconds since the epoch → `YYYY-MM-DD HH:MM:SS.ffffff` (UTC), exact. */
export function timestampFromMicros(micros: bigint): string | { reason: string } {
  if (micros < MIN_TIMESTAMP_MICROS || micros > MAX_TIMESTAMP_MICROS) {
    return { reason: `TIMESTAMP ${micros} microseconds is out of range` };
  }
  let days = micros / MICROS_PER_DAY;
  let rest = micros % MICROS_PER_DAY;
  if (rest < 0n) {
    days -= 1n;
    rest += MICROS_PER_DAY;
  }
  const secs = Number(rest / 1_000_000n);
  const frac = String(rest % 1_000_000n).padStart(6, '0');
  const hh = String(Math.floor(secs / 3600)).padStart(2, '0');
  const mm = String(Math.floor(secs / 60) % 60).padStart(2, '0');
  const ss = String(secs % 60).padStart(2, '0');
  return `${formatEpochDay(Number(days))} ${hh}:${mm}:${ss}.${frac}`;
}

/** BigDecimalByteStringEncoder bytes → decimal text. */
export function decimalFromBytes(bytes: Uint8Array): string {
  let unscaled = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) unscaled = (unscaled << 8n) | BigInt(bytes[i]);
  if (bytes.length > 0 && bytes[bytes.length - 1] & 0x80) unscaled -= 1n << BigInt(8 * bytes.length);
  const sign = unscaled < 0n ? '-' : '';
  const digits = String(unscaled < 0n ? -unscaled : unscaled).padStart(NUMERIC_BYTES_SCALE + 1, '0');
  const cut = digits.length - NUMERIC_BYTES_SCALE;
  return canonicalDecimal(`${sign}${digits.slice(0, cut)}.${digits.slice(cut)}`);
}

/** Precision and scale checked as insertAll checks them (more decimals than the column keeps is an error). */
function numericText(column: BqField, text: string): string | { reason: string } {
  const check = checkRow([column], { [column.name]: canonicalDecimal(text) });
  return check.ok ? check.values[0]! : { reason: check.reasons.join('; ') };
}
