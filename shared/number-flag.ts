/**
 * Numeric command-line flags, parsed from the text as typed: yargs' own
 * `type: 'number'` turns `abc` into NaN before any check sees it, so messages
 * said "got NaN". Here the flag keeps its text and a bad value is a usage error
 * that quotes it.
 */
import { UsageError } from './errors.ts';

export interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
}

function describeRule(rule: NumberRule): string {
  const what = rule.integer ? 'a whole number' : 'a number';
  const { min, max } = rule;
  if (min !== undefined && max !== undefined) return `${what} from ${min} to ${max}`;
  if (min !== undefined) return `${what} ≥ ${min}`;
  if (max !== undefined) return `${what} ≤ ${max}`;
  return what;
}

/** `value` as given on the command line (text, or a default number) → a number that follows `rule`. */
export function parseNumberFlag(flag: string, value: unknown, rule: NumberRule = {}): number {
  if (Array.isArray(value)) {
    throw new UsageError(`--${flag} was given ${value.length} times (${value.join(', ')}); give it once`, {
      field: flag,
    });
  }
  const text = String(value ?? '').trim();
  const n = typeof value === 'number' ? value : text === '' ? Number.NaN : Number(text.replaceAll('_', ''));
  const ok =
    Number.isFinite(n) &&
    (!rule.integer || Number.isInteger(n)) &&
    (rule.min === undefined || n >= rule.min) &&
    (rule.max === undefined || n <= rule.max);
  if (!ok) throw new UsageError(`--${flag} must be ${describeRule(rule)}, got "${text}"`, { field: flag });
  return n;
}

interface NumberOptionSpec extends NumberRule {
  describe: string;
  alias?: string;
}

interface NumberOption {
  describe: string;
  requiresArg: true;
  alias?: string;
  coerce: (v: unknown) => number;
}

/**
 * A yargs option for a numeric flag: no `type`, so the parser hands over a
 * number or the text as typed (never NaN), then parseNumberFlag checks it (the
 * default too).
 */
export function numberOption(
  flag: string,
  spec: NumberOptionSpec & { default: number },
): NumberOption & { default: number };
export function numberOption(flag: string, spec: NumberOptionSpec): NumberOption;
export function numberOption(flag: string, spec: NumberOptionSpec & { default?: number }): NumberOption {
  const { describe, alias, default: def, ...rule } = spec;
  return {
    describe,
    requiresArg: true,
    ...(alias === undefined ? {} : { alias }),
    ...(def === undefined ? {} : { default: def }),
    coerce: (v: unknown): number => parseNumberFlag(flag, v, rule),
  };
}
