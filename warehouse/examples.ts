/**
 * Example analyst queries (sql/examples/*.sql): plain SQL in the subset both
 * dialects share, with unqualified table names and @params. The first comment
 * lines describe the query; `-- param: name=value` lines give default values
 * (same syntax as --param).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, UsageError } from '../shared/errors.ts';
import { parseParamFlag } from './values.ts';
import type { ParamValue } from './warehouse.ts';

export const EXAMPLES_DIR = fileURLToPath(new URL('../sql/examples/', import.meta.url));

export interface SqlFile {
  name: string;
  path: string;
  description: string;
  sql: string;
  /** Defaults from `-- param:` lines. */
  params: Record<string, ParamValue>;
}

export function readSqlFile(path: string): SqlFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    // A file that is not there is a usage error (exit 2), like any missing input; an unreadable one is not.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UsageError('SQL file does not exist', { file: path });
    }
    throw new InputError(`cannot read SQL file: ${(err as Error).message}`, { file: path }, err);
  }
  const description: string[] = [];
  const params: Record<string, ParamValue> = {};
  text.split('\n').forEach((line, i) => {
    const m = /^\s*--\s?(.*)$/.exec(line);
    if (m === null) return;
    const p = /^param:\s*(.+)$/.exec(m[1].trim());
    if (p) {
      try {
        const [k, v] = parseParamFlag(p[1].trim());
        params[k] = v;
      } catch (err) {
        throw new InputError(`bad param line: ${(err as Error).message}`, { file: path, line: i + 1 });
      }
    } else if (Object.keys(params).length === 0) description.push(m[1].trim());
  });
  return { name: basename(path, '.sql'), path, description: description.join(' '), sql: text, params };
}

export function listExamples(dir = EXAMPLES_DIR): SqlFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => readSqlFile(join(dir, f)));
}

export function findExample(name: string, dir = EXAMPLES_DIR): SqlFile {
  const all = listExamples(dir);
  const hit = all.find((e) => e.name === name.replace(/\.sql$/, ''));
  if (!hit) throw new UsageError(`no example "${name}"; available: ${all.map((e) => e.name).join(', ')}`);
  return hit;
}
