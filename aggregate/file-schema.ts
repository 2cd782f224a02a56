/**
 * Checking a data file's columns against the sales record before aggregating
 * it, so a stray file with the wrong schema fails with its name instead of
 * silently skewing totals. Each engine describes a file's columns in its own
 * type system; this decides, in one place, what is acceptable.
 */
import { InputError } from '../shared/errors.ts';
import { type ColumnName, columnSpec } from '../shared/schema/columns.ts';

/** The physical shapes we can aggregate exactly. `decimal2` = any DECIMAL(p ≤ 18, 2). */
export type ColumnKind = 'string' | 'int64' | 'date' | 'decimal2' | 'other';

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

/**
 * Throw an InputError naming the file if one of `needed` is missing or has the
 * wrong kind. `found` maps column name → [kind, the engine's own type text].
 */
export function checkFileColumns(
  file: string,
  needed: readonly ColumnName[],
  found: ReadonlyMap<string, readonly [ColumnKind, string]>,
): void {
  for (const column of needed) {
    const got = found.get(column);
    if (got === undefined) {
      throw new InputError(`wrong schema: no column ${column} (has ${[...found.keys()].join(', ') || 'no columns'})`, {
        file,
        field: column,
        step: 'read schema',
      });
    }
    const want = expectedKind(column);
    if (got[0] !== want) {
      throw new InputError(`wrong schema: column ${column} is ${got[1]}, expected ${EXPECTED_TEXT[want]}`, {
        file,
        field: column,
        step: 'read schema',
      });
    }
  }
}
