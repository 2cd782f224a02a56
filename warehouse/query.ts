/**
 * What `salesflow query` does, as functions: pick the SQL (inline, a file or a
 * named example), merge parameters (example defaults, then --param), and
 * describe the warehouse's tables and views for --list.
 */
import { UsageError } from '../shared/errors.ts';
import { findExample, listExamples, readSqlFile } from './examples.ts';
import { TABLES } from './tables.ts';
import { parseParamFlag } from './values.ts';
import { VIEWS } from './views.ts';
import type { Params, ParamValue } from './warehouse.ts';

export interface QueryInput {
  sql: string;
  params: Params;
  /** Where the SQL came from, for messages. */
  source: string;
}

export function resolveQueryInput(opts: {
  sql?: string;
  file?: string;
  example?: string;
  params?: readonly string[];
}): QueryInput {
  const given = [opts.sql, opts.file, opts.example].filter((x) => x !== undefined && x !== '');
  if (given.length === 0) throw new UsageError('give the SQL to run, --file PATH, --example NAME, or --list');
  if (given.length > 1) throw new UsageError('give only one of: SQL text, --file, --example');
  const params: Record<string, ParamValue> = {};
  let sql: string;
  let source: string;
  if (opts.file || opts.example) {
    const f = opts.file ? readSqlFile(opts.file) : findExample(opts.example!);
    Object.assign(params, f.params);
    sql = f.sql;
    source = f.path;
  } else {
    sql = opts.sql!;
    source = 'command line';
  }
  for (const flag of opts.params ?? []) {
    const [k, v] = parseParamFlag(flag);
    params[k] = v;
  }
  return { sql, params, source };
}

/** Tables, views and example queries with one-line descriptions. */
export function describeWarehouseObjects(): { kind: string; name: string; description: string }[] {
  return [
    ...TABLES.map((t) => ({ kind: 'table', name: t.name, description: t.description })),
    ...VIEWS.map((v) => ({ kind: 'view', name: v.name, description: v.description })),
    ...listExamples().map((e) => ({ kind: 'example', name: e.name, description: e.description })),
  ];
}

/** Columns of a table or view, for `--list NAME`. */
export function describeColumns(name: string): { name: string; type: string; description: string }[] | undefined {
  const t = TABLES.find((x) => x.name === name);
  return t?.fields.map((f) => ({
    name: f.name,
    type: f.mode === 'REQUIRED' ? `${f.type} NOT NULL` : f.type,
    description: f.description ?? '',
  }));
}
