/**
 * Checking a data file's columns against the sales record before reading it,
 * so a file with the wrong schema is refused by name instead of skewing totals
 * (aggregate) or being coerced into valid-looking values (the batch pipeline's
 * push-down). Each reader describes a file's columns in its own type system;
 * this decides, in one place, what is acceptable.
 */
import { InputError } from '../errors.ts';
import { COLUMN_NAMES, type ColumnName, columnSpec } from './columns.ts';
import { quoteForMessage } from '../format.ts';

/**
 * The physical shapes a sales column may have: UTF-8 strings, signed 64-bit
 * integers, calendar days, decimals with exactly 2 fraction digits. Anything
 * else (doubles, text dates, 32-bit ints, timestamps, other scales) is `other`:
 * never read as if it were the right type.
 */
export type ColumnKind = 'string' | 'int64' | 'date' | 'decimal2' | 'other';

/** A column as a reader found it: its kind, the reader's own type text, and a decimal's precision. */
export type FoundColumn = readonly [kind: ColumnKind, type: string, precision?: number];

/**
 * A file's columns in file order, as the reader listed them: a list, not a map,
 * so two columns of the same name are both seen.
 */
export type FoundColumns = readonly (readonly [name: string, column: FoundColumn])[];

export function expectedKind(column: ColumnName): ColumnKind {
  switch (columnSpec(column).type) {
    case 'STRING':
      return 'string';
    case 'INT64':
      return 'int64';
    case 'DATE':
      return 'date';
    case 'NUMERIC':
      return 'decimal2';
  }
}

const EXPECTED_TEXT: Record<ColumnKind, string> = {
  string: 'STRING',
  int64: 'INT64',
  date: 'DATE',
  decimal2: 'DECIMAL(12,2)',
  other: '?',
};

export interface ColumnRules {
  /**
   * Largest decimal precision taken for sale_amount (default: any). Loading into
   * NUMERIC(12,2) takes 12: a wider column holds values the table cannot.
   */
  maxDecimalPrecision?: number;
}

/**
 * Why the columns do not fit the record, or undefined. The rule is the CSV
 * header's: exactly the sales columns (those a hive folder supplies may be
 * left out), each once, by its exact name, of its kind. Two names equal but for
 * case are refused by name: DuckDB and BigQuery match columns case-insensitively
 * and would take either one (a DOUBLE `SALE_AMOUNT` read as `sale_amount`),
 * the Arrow reader the exact one, so engines would disagree on the same file.
 * An extra column is refused like an extra CSV field: it is not a sales file.
 */
export function fileColumnsProblem(
  needed: readonly ColumnName[],
  columns: FoundColumns,
  rules: ColumnRules = {},
): { field: string; message: string } | undefined {
  const names = columns.map(([name]) => name);
  const byLowerCase = new Map<string, string>();
  for (const name of names) {
    const first = byLowerCase.get(name.toLowerCase());
    if (first !== undefined) {
      const how =
        first === name
          ? `column ${quoteForMessage(name)} appears twice`
          : `columns ${quoteForMessage(first)} and ${quoteForMessage(name)} differ only in case`;
      return { field: name, message: `wrong schema: ${how} (column names must be unique, ignoring case)` };
    }
    byLowerCase.set(name.toLowerCase(), name);
  }
  const unexpected = names.filter((n) => !(COLUMN_NAMES as readonly string[]).includes(n));
  if (unexpected.length > 0) {
    return {
      field: unexpected[0],
      message: `wrong schema: unexpected column${unexpected.length > 1 ? 's' : ''} ${unexpected.map(quoteForMessage).join(', ')} (a sales file has only ${COLUMN_NAMES.join(', ')}, by these exact names)`,
    };
  }
  const found = new Map(columns);
  for (const column of needed) {
    const got = found.get(column);
    if (got === undefined) {
      return {
        field: column,
        message: `wrong schema: no column ${column} (has ${names.join(', ') || 'no columns'})`,
      };
    }
    const want = expectedKind(column);
    const max = rules.maxDecimalPrecision;
    const tooWide = want === 'decimal2' && max !== undefined && (got[2] ?? Number.POSITIVE_INFINITY) > max;
    if (got[0] !== want || tooWide) {
      const expected = tooWide ? `DECIMAL(p ≤ ${max}, 2)` : EXPECTED_TEXT[want];
      return { field: column, message: `wrong schema: column ${column} is ${got[1]}, expected ${expected}` };
    }
  }
  return undefined;
}

/** fileColumnsProblem as a thrown InputError naming the file. */
export function checkFileColumns(
  file: string,
  needed: readonly ColumnName[],
  columns: FoundColumns,
  rules: ColumnRules = {},
): void {
  const problem = fileColumnsProblem(needed, columns, rules);
  if (problem) throw new InputError(problem.message, { file, field: problem.field, step: 'read schema' });
}
