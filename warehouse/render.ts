/** Query results as text: an aligned table, JSON, or CSV (RFC 4180 quoting). */
import { csvField, formatTable } from '../shared/format.ts';
import type { Cell, ResultField, Row } from './warehouse.ts';

export const OUTPUT_FORMATS = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function renderTable(fields: readonly ResultField[], rows: readonly Row[]): string {
  const names = fields.map((f) => f.name);
  return formatTable(
    names,
    rows.map((r) => names.map((n) => r[n])),
  );
}

/**
 * One result row as a JSON object. JSON has no NaN or infinities (JSON.stringify
 * writes null, a different value); they are written as BigQuery's API writes
 * FLOAT64 values: "NaN", "Infinity", "-Infinity".
 */
export function jsonRow(row: Row): string {
  return JSON.stringify(row, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

export function csvCell(v: Cell): string {
  return v === null ? '' : csvField(String(v));
}

export function csvHeader(fields: readonly ResultField[]): string {
  return fields.map((f) => csvCell(f.name)).join(',');
}

export function csvRows(fields: readonly ResultField[], rows: readonly Row[]): string {
  return rows.map((r) => fields.map((f) => csvCell(r[f.name])).join(',')).join('\n');
}
