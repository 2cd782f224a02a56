/**
 * Check a JSON row against a table's fields the way BigQuery's insertAll does:
 * unknown fields, missing required fields and values that do not parse as the
 * column type are per-row reasons. Valid rows come back as text values ready to
 * bind (cast to the column type in SQL).
 */
import type { BigQueryField } from '../shared/schema/index.ts';
import { parseIsoDate } from '../shared/dates.ts';
import { escapeUnseen } from '../shared/format.ts';

export type RowCheck = { ok: true; values: (string | null)[] } | { ok: false; reasons: string[] };

const INT_RE = /^-?\d+$/;
const DECIMAL_RE = /^-?\d+(?:\.(\d+))?$/;

export function checkRow(fields: readonly BigQueryField[], row: Record<string, unknown>): RowCheck {
  const reasons: string[] = [];
  const known = new Set(fields.map((f) => f.name));
  for (const key of Object.keys(row)) if (!known.has(key)) reasons.push(`no such field: ${key}`);
  const values = fields.map((f) => {
    const v = row[f.name];
    if (v === undefined || v === null) {
      if (f.mode === 'REQUIRED') reasons.push(`missing required field: ${f.name}`);
      return null;
    }
    const text = valueText(f, v);
    if (typeof text === 'object') {
      reasons.push(`${f.name}: ${text.reason}`);
      return null;
    }
    return text;
  });
  return reasons.length > 0 ? { ok: false, reasons } : { ok: true, values };
}

function valueText(f: BigQueryField, v: unknown): string | { reason: string } {
  const shown = escapeUnseen(JSON.stringify(v)?.slice(0, 60) ?? String(v));
  const bad = (what: string) => ({ reason: `cannot convert ${shown} to ${what}` });
  switch (f.type) {
    case 'STRING':
      return typeof v === 'string' ? v : bad('STRING');
    case 'INT64':
    case 'INTEGER': {
      const t = typeof v === 'number' || typeof v === 'bigint' ? String(v) : v;
      return typeof t === 'string' && INT_RE.test(t) && BigInt(t) < 2n ** 63n && BigInt(t) >= -(2n ** 63n)
        ? t
        : bad('INT64');
    }
    case 'NUMERIC': {
      const t = typeof v === 'number' ? String(v) : v;
      const m = typeof t === 'string' ? DECIMAL_RE.exec(t) : null;
      if (m === null) return bad('NUMERIC');
      const scale = Number(f.scale ?? 9);
      const precision = Number(f.precision ?? 38);
      if ((m[1]?.length ?? 0) > scale) return { reason: `${shown} has more than ${scale} decimal places` };
      const digits = (t as string).replace(/^-/, '').split('.')[0].replace(/^0+/, '').length;
      if (digits > precision - scale) return { reason: `${shown} is out of range for NUMERIC(${precision}, ${scale})` };
      return t as string;
    }
    case 'FLOAT64':
    case 'FLOAT':
      return typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)))
        ? String(v)
        : bad('FLOAT64');
    case 'BOOL':
    case 'BOOLEAN':
      return typeof v === 'boolean' ? String(v) : v === 'true' || v === 'false' ? v : bad('BOOL');
    case 'DATE':
      return typeof v === 'string' && !Number.isNaN(parseIsoDate(v)) ? v : bad('DATE');
    case 'TIMESTAMP': {
      const ms = v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : Number.NaN;
      return Number.isNaN(ms) ? bad('TIMESTAMP') : new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
    }
    default:
      return bad(f.type);
  }
}
