/**
 * DuckDB results → BigQuery's REST shapes: schema fields with the legacy type
 * names the API returns (INTEGER, FLOAT, BOOLEAN, …) and rows as {f:[{v}]} with
 * every value a string — INT64 as decimal text, NUMERIC canonical (no trailing
 * zeros), DATE as YYYY-MM-DD, TIMESTAMP as int64 microseconds (what
 * formatOptions.useInt64Timestamp asks for, the v9 client's default) or float
 * seconds.
 */
import type { DuckDBResult } from '@duckdb/node-api';
import { fieldTypeOfDuckdb } from '../../../warehouse/duckdb-exec.ts';
import type { FieldType } from '../../../warehouse/warehouse.ts';

export interface BqField {
  name: string;
  type: string;
  mode: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
  description?: string;
  precision?: string;
  scale?: string;
}

export interface BqRow {
  f: { v: string | null }[];
}

const LEGACY: Record<FieldType, string> = {
  STRING: 'STRING',
  INT64: 'INTEGER',
  NUMERIC: 'NUMERIC',
  FLOAT64: 'FLOAT',
  BOOL: 'BOOLEAN',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
};

export function legacyType(t: FieldType): string {
  return LEGACY[t];
}

export async function encodeResult(
  result: DuckDBResult,
  opts: { int64Timestamps: boolean },
): Promise<{ schema: { fields: BqField[] }; rows: BqRow[] }> {
  const names = result.deduplicatedColumnNames();
  const types = names.map((_, i) => fieldTypeOfDuckdb(result.columnTypeId(i)));
  const fields: BqField[] = names.map((name, i) => ({ name, type: LEGACY[types[i]], mode: 'NULLABLE' }));
  const rows: BqRow[] = [];
  for await (const chunk of result.yieldRowsJson()) {
    for (const values of chunk) {
      rows.push({ f: values.map((v, i) => ({ v: encodeValue(types[i], v, opts.int64Timestamps) })) });
    }
  }
  return { schema: { fields }, rows };
}

export function encodeValue(type: FieldType, v: unknown, int64Timestamps: boolean): string | null {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'NUMERIC':
      return canonicalDecimal(String(v));
    case 'BOOL':
      return v ? 'true' : 'false';
    case 'TIMESTAMP': {
      const micros = microsFromDuckdbTimestamp(String(v));
      if (int64Timestamps) return String(micros);
      const secs = micros / 1_000_000n;
      const frac = String(((micros % 1_000_000n) + 1_000_000n) % 1_000_000n).padStart(6, '0');
      return `${secs}.${frac}`;
    }
    case 'STRING':
      return typeof v === 'string' ? v : JSON.stringify(v);
    default:
      return String(v);
  }
}

/** "12.340000" → "12.34", "5.000" → "5", "-0.0" → "0". */
export function canonicalDecimal(text: string): string {
  if (!text.includes('.')) return text;
  const out = text.replace(/0+$/, '').replace(/\.$/, '');
  return out === '-0' ? '0' : out;
}

/** "2024-01-02 03:04:05.123456[+00]" → microseconds since the epoch. */
export function microsFromDuckdbTimestamp(text: string): bigint {
  const m = /^(\d{4,}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(?:([+-]\d{2})(?::?(\d{2}))?)?$/.exec(text);
  if (m === null) throw new Error(`unexpected DuckDB timestamp ${text}`);
  const ms = Date.parse(`${m[1]}T${m[2]}Z`);
  const sign = m[4]?.startsWith('-') ? -1 : 1;
  const offsetMin = m[4] === undefined ? 0 : sign * (Math.abs(Number(m[4])) * 60 + Number(m[5] ?? 0));
  const frac = BigInt((m[3] ?? '').padEnd(6, '0').slice(0, 6));
  return (BigInt(ms) - BigInt(offsetMin) * 60_000n) * 1000n + frac;
}
