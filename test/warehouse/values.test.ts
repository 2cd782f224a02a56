import { describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/errors.ts';
import { parseWarehouseSpec } from '../../warehouse/open.ts';
import { csvCell, jsonRow } from '../../warehouse/render.ts';
import {
  normalizeNumeric,
  parseParamFlag,
  resolveParam,
  timestampFromBigQuery,
  timestampFromDuckdb,
  timestampFromMicros,
} from '../../warehouse/values.ts';

describe('parameters', () => {
  it('infers types from --param values and honours explicit types', () => {
    expect(parseParamFlag('n=42')).toEqual(['n', { type: 'INT64', value: '42' }]);
    expect(parseParamFlag('d=2024-01-31')).toEqual(['d', { type: 'DATE', value: '2024-01-31' }]);
    expect(parseParamFlag('a=12.50')).toEqual(['a', { type: 'NUMERIC', value: '12.50' }]);
    expect(parseParamFlag('r=North')).toEqual(['r', 'North']);
    expect(parseParamFlag('id:STRING=00123')).toEqual(['id', { type: 'STRING', value: '00123' }]);
    expect(parseParamFlag('q=a=b')).toEqual(['q', 'a=b']);
    expect(() => parseParamFlag('novalue')).toThrow(UsageError);
    expect(() => parseParamFlag('x:WEIRD=1')).toThrow(/unknown type/);
  });

  it('resolves plain values to BigQuery parameter types', () => {
    expect(resolveParam('a', 3)).toEqual({ type: 'INT64', value: '3' });
    expect(resolveParam('a', 2.5)).toEqual({ type: 'FLOAT64', value: '2.5' });
    expect(resolveParam('a', 10n ** 18n)).toEqual({ type: 'INT64', value: '1000000000000000000' });
    expect(resolveParam('a', true)).toEqual({ type: 'BOOL', value: 'true' });
    expect(resolveParam('a', null)).toEqual({ type: 'STRING', value: null });
    expect(() => resolveParam('a', Number.NaN)).toThrow(UsageError);
  });
});

describe('normalized values', () => {
  it('prints NUMERIC exactly with at least two decimals', () => {
    expect(normalizeNumeric('12.3')).toBe('12.30');
    expect(normalizeNumeric('12.340000000')).toBe('12.34');
    expect(normalizeNumeric('5')).toBe('5.00');
    expect(normalizeNumeric('-0.5')).toBe('-0.50');
    expect(normalizeNumeric('0.123456789')).toBe('0.123456789');
  });

  it('prints timestamps as ISO UTC with microseconds from either dialect', () => {
    expect(timestampFromMicros(1704164645123456n)).toBe('2024-01-02T03:04:05.123456Z');
    expect(timestampFromDuckdb('2024-01-02 03:04:05.123456')).toBe('2024-01-02T03:04:05.123456Z');
    expect(timestampFromDuckdb('2024-01-02 05:04:05.1+02')).toBe('2024-01-02T03:04:05.100000Z');
  });

  it('reads BigQuery timestamps exactly before 1970 and far from it, as micros or as float seconds', () => {
    expect(timestampFromMicros(-1n)).toBe('1969-12-31T23:59:59.999999Z');
    expect(timestampFromMicros(-1_500_000n)).toBe('1969-12-31T23:59:58.500000Z');
    expect(timestampFromBigQuery('-0.000001')).toBe('1969-12-31T23:59:59.999999Z');
    // Past 2^53 microseconds (year 2255+) a double cannot hold every microsecond.
    expect(timestampFromBigQuery('32503680000.123457')).toBe('3000-01-01T00:00:00.123457Z');
    expect(timestampFromBigQuery('1.7E9')).toBe('2023-11-14T22:13:20.000000Z');
  });

  it('writes NaN and infinities in JSON rows as BigQuery does, not as null', () => {
    expect(jsonRow({ a: Number.NaN, b: Number.POSITIVE_INFINITY, c: Number.NEGATIVE_INFINITY, d: 1.5, e: null })).toBe(
      '{"a":"NaN","b":"Infinity","c":"-Infinity","d":1.5,"e":null}',
    );
  });

  it('quotes CSV cells only when needed', () => {
    expect(csvCell('Home & Garden')).toBe('Home & Garden');
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell(null)).toBe('');
  });
});

describe('--warehouse', () => {
  it('parses duckdb and bigquery targets', () => {
    expect(parseWarehouseSpec('duckdb:/tmp/w.duckdb')).toEqual({ kind: 'duckdb', path: '/tmp/w.duckdb' });
    expect(parseWarehouseSpec('bigquery:my-proj.sales')).toEqual({
      kind: 'bigquery',
      project: 'my-proj',
      dataset: 'sales',
    });
    const saved = process.env.GOOGLE_CLOUD_PROJECT;
    process.env.GOOGLE_CLOUD_PROJECT = 'env-proj';
    try {
      expect(parseWarehouseSpec('bigquery:', { dataset: 'x' })).toEqual({
        kind: 'bigquery',
        project: 'env-proj',
        dataset: 'x',
      });
      expect(parseWarehouseSpec('bigquery:sales')).toEqual({ kind: 'bigquery', project: 'env-proj', dataset: 'sales' });
    } finally {
      if (saved === undefined) delete process.env.GOOGLE_CLOUD_PROJECT;
      else process.env.GOOGLE_CLOUD_PROJECT = saved;
    }
    expect(() => parseWarehouseSpec('postgres:x')).toThrow(UsageError);
    expect(() => parseWarehouseSpec('bigquery:proj.bad-dataset')).toThrow(/invalid dataset/);
  });
});
