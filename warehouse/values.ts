/**
 * Parameters and result values in one normalized form for both dialects:
 * params are resolved to (BigQuery type, text value); result cells are
 * normalized so the same data reads the same from DuckDB and BigQuery.
 */
import { UsageError } from '../shared/errors.ts';
import type { Cell, FieldType, Params, ParamValue } from './warehouse.ts';
import { quoteForMessage } from '../shared/format.ts';

export const FIELD_TYPES: readonly FieldType[] = ['STRING', 'INT64', 'NUMERIC', 'FLOAT64', 'BOOL', 'DATE', 'TIMESTAMP'];

export interface ResolvedParam {
  type: FieldType;
  /** Text form (what BigQuery's parameterValue.value carries); null for NULL. */
  value: string | null;
}

/** The parameter `@name` the SQL uses, resolved; a usage error naming it when no value was given. */
export function resolveNamedParam(params: Params, name: string): ResolvedParam {
  if (!(name in params)) {
    throw new UsageError(`the SQL uses @${name} but no value was given for it (pass it as a named parameter)`, {
      field: name,
    });
  }
  return resolveParam(name, params[name]);
}

export function resolveParam(name: string, v: ParamValue): ResolvedParam {
  if (v !== null && typeof v === 'object') {
    if (!FIELD_TYPES.includes(v.type)) {
      throw new UsageError(`parameter @${name}: unknown type ${v.type}; use one of ${FIELD_TYPES.join(', ')}`);
    }
    return { type: v.type, value: v.value === null ? null : String(v.value) };
  }
  if (v === null) return { type: 'STRING', value: null };
  if (typeof v === 'string') return { type: 'STRING', value: v };
  if (typeof v === 'boolean') return { type: 'BOOL', value: String(v) };
  if (typeof v === 'bigint') return { type: 'INT64', value: String(v) };
  if (!Number.isFinite(v)) throw new UsageError(`parameter @${name}: ${v} is not a finite number`);
  return Number.isInteger(v) ? { type: 'INT64', value: String(v) } : { type: 'FLOAT64', value: String(v) };
}

/**
 * `--param name=value` or `--param name:TYPE=value`. Without a type: whole
 * numbers are INT64, `YYYY-MM-DD` is DATE, decimals are NUMERIC, anything else
 * STRING. Values are always bound, never spliced into the SQL.
 */
export function parseParamFlag(flag: string): [string, ParamValue] {
  const m = /^([A-Za-z_]\w*)(?::([A-Za-z0-9]+))?=(.*)$/s.exec(flag);
  if (m === null) {
    throw new UsageError(`--param ${quoteForMessage(flag)}: expected name=value or name:TYPE=value`, {
      field: 'param',
    });
  }
  const [, name, typeText, value] = m;
  if (typeText !== undefined) {
    const type = typeText.toUpperCase() as FieldType;
    if (!FIELD_TYPES.includes(type)) {
      throw new UsageError(`--param ${name}: unknown type ${typeText}; use one of ${FIELD_TYPES.join(', ')}`, {
        field: 'param',
      });
    }
    return [name, { type, value }];
  }
  if (/^-?\d{1,19}$/.test(value) && BigInt.asIntN(64, BigInt(value)) === BigInt(value)) {
    return [name, { type: 'INT64', value }];
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return [name, { type: 'DATE', value }];
  if (/^-?\d+\.\d+$/.test(value)) return [name, { type: 'NUMERIC', value }];
  return [name, value];
}

/** Exact decimal text with at least two fraction digits ("12.3" → "12.30", "5" → "5.00"). */
export function normalizeNumeric(text: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (m === null) return text;
  const whole = m[2].replace(/^0+(?=\d)/, '') || '0';
  const frac = (m[3] ?? '').replace(/0+$/, '').padEnd(2, '0');
  const neg = m[1] === '-' && !(/^0*$/.test(m[2]) && /^0*$/.test(frac));
  return `${neg ? '-' : ''}${whole}.${frac}`;
}

/** INT64 text → number when exact, else the text. */
export function normalizeInt(text: string): Cell {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** Microseconds since epoch → `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
export function timestampFromMicros(micros: bigint): string {
  // Floor, not BigInt's truncation: -1 µs is 1969-12-31T23:59:59.999999, not a second later.
  const rest = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const seconds = (micros - rest) / 1_000_000n;
  const iso = new Date(Number(seconds) * 1000).toISOString(); // …T12:34:56.000Z
  return `${iso.slice(0, 19)}.${String(rest).padStart(6, '0')}Z`;
}

/**
 * A BigQuery TIMESTAMP as the API sends it: int64 microseconds (what the
 * client asks for), or seconds as a decimal (`1704164645.123456`, `1.7E9`)
 * from older servers — read as text, since a double cannot hold every
 * microsecond past 2^53 of them (year 2255).
 */
export function timestampFromBigQuery(text: string): string {
  if (/^-?\d+$/.test(text)) return timestampFromMicros(BigInt(text));
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) return text;
  // Shift the decimal point by the exponent + 6 (seconds → microseconds), then round half up.
  const digits = `${m[2]}${m[3] ?? ''}`;
  const point = m[2].length + Number(m[4] ?? 0) + 6;
  const whole = point <= 0 ? 0n : BigInt(digits.slice(0, point).padEnd(point, '0') || '0');
  const roundUp = point >= 0 && point < digits.length && digits[point] >= '5' ? 1n : 0n;
  const micros = whole + roundUp;
  return timestampFromMicros(m[1] === '-' ? -micros : micros);
}

/** DuckDB timestamp text ("2024-01-02 03:04:05.12+00") → ISO UTC with microseconds. */
export function timestampFromDuckdb(text: string): string {
  const m = /^(\d{4,}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(?:([+-]\d{2})(?::?(\d{2}))?)?$/.exec(text);
  if (m === null) return text;
  const frac = (m[3] ?? '').padEnd(6, '0').slice(0, 6);
  if (m[4] === undefined || (Number(m[4]) === 0 && Number(m[5] ?? 0) === 0)) return `${m[1]}T${m[2]}.${frac}Z`;
  const sign = m[4].startsWith('-') ? -1 : 1;
  const offsetMin = sign * (Math.abs(Number(m[4])) * 60 + Number(m[5] ?? 0));
  const ms = Date.parse(`${m[1]}T${m[2]}Z`) - offsetMin * 60_000;
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}
