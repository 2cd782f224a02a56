/**
 * Run SQL scripts on a DuckDB connection with named parameters: each statement
 * is prepared on its own and bound with only the parameters it uses (DuckDB's
 * own multi-statement `run` binds the last statement only). A failing script
 * inside an open transaction is rolled back so the connection stays usable.
 * Shared by the DuckDB warehouse and the BigQuery test server.
 */
import {
  type DuckDBConnection,
  type DuckDBResult,
  DuckDBTypeId,
  LIST,
  listValue,
  ResultReturnType,
  StatementType,
  VARCHAR,
} from '@duckdb/node-api';
import { RefusedStatementError, type StatementKind } from './access.ts';
import { countDuckdbStatements } from './duckdb-statements.ts';
import type { Cell, FieldType, ResultField } from './warehouse.ts';
import { normalizeInt, normalizeNumeric, timestampFromDuckdb } from './values.ts';
import { log, logLevel } from '../shared/log.ts';
import { duckdbIdent } from '../shared/duckdb-quote.ts';

/** Text bindings by parameter name (DuckDB `$name`); null binds NULL. */
export type Bindings = Readonly<Record<string, string | null>>;

export interface ScriptResult {
  /** The last statement's result, streaming if asked. */
  last: DuckDBResult;
  /** Sum of rows changed by DML statements. */
  affectedRows: number;
  /** True when the last statement returns rows (a query) rather than a change count. */
  returnsRows: boolean;
}

export class MissingParamError extends Error {
  readonly param: string;
  constructor(param: string) {
    super(`the SQL uses @${param} but no value was given for it (pass it as a named parameter)`);
    this.param = param;
  }
}

/** `fn` inside BEGIN … COMMIT on `conn`, rolled back if it throws (all or nothing, like a load job). */
export async function inTransaction<T>(conn: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  await conn.run('BEGIN TRANSACTION');
  try {
    const out = await fn();
    await conn.run('COMMIT');
    return out;
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => {});
    throw err;
  }
}

export interface RunScriptOptions {
  /** Stream the last statement's result. */
  stream?: boolean;
  /**
   * Called for each statement once DuckDB has parsed and bound it, before it runs; throw to refuse it.
   * `count` is how many statements the SQL holds: a PIVOT is one, although DuckDB runs it as several.
   */
  check?: (type: StatementType, count: number) => void;
}

export async function runScript(
  conn: DuckDBConnection,
  sql: string,
  bindings: Bindings = {},
  opts: RunScriptOptions = {},
): Promise<ScriptResult> {
  if (sql.trim() === '') throw new Error('no SQL statement to run');
  const extracted = await conn.extractStatements(sql);
  if (extracted.count === 0) throw new Error('no SQL statement to run');
  // A checked script of one statement that DuckDB split into several: a PIVOT, whose first ones
  // DuckDB added (each makes the enum of one pivot column's values). Unchecked scripts run as written.
  const written = opts.check ? countDuckdbStatements(sql) : extracted.count;
  const added = written === 1 ? extracted.count - 1 : 0;
  const count = added > 0 ? 1 : written > 1 ? written : extracted.count;
  let affectedRows = 0;
  try {
    if (added > 0) await conn.run('BEGIN TRANSACTION');
    for (let i = 0; i < extracted.count; i++) {
      const prepared = await extracted.prepare(i);
      try {
        if (i < added) refuseUnlessCreate(prepared.statementType, extracted.count);
        else opts.check?.(prepared.statementType, count);
        for (let p = 1; p <= prepared.parameterCount; p++) {
          const name = prepared.parameterName(p);
          if (!(name in bindings)) throw new MissingParamError(name);
          const v = bindings[name];
          if (v === null) prepared.bindNull(p);
          else prepared.bindVarchar(p, v);
        }
        const last = i === extracted.count - 1;
        // The pivot's enums are made before its query runs, each proved to be one more pivot enum and
        // nothing else (a guard that holds even were countDuckdbStatements wrong), then kept for the query.
        if (last && added > 0) await conn.run('COMMIT');
        const enumsBefore = i < added ? await pivotEnumCount(conn) : 0;
        const started = performance.now();
        const result = last && opts.stream ? await prepared.stream() : await prepared.run();
        if (i < added && (await pivotEnumCount(conn)) !== enumsBefore + 1) throw splitRefusal(extracted.count);
        if (logLevel() === 'debug') {
          const head = sql.replace(/\s+/g, ' ').trim().slice(0, 100);
          log.debug(
            `duckdb ${(performance.now() - started).toFixed(0)} ms, statement ${i + 1}/${extracted.count} of: ${head}`,
          );
        }
        if (result.returnType === ResultReturnType.CHANGED_ROWS) affectedRows += result.rowsChanged;
        if (last)
          return { last: result, affectedRows, returnsRows: result.returnType === ResultReturnType.QUERY_RESULT };
      } finally {
        prepared.destroySync();
      }
    }
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => {});
    throw err;
  }
  throw new Error('unreachable');
}

/**
 * The statements DuckDB adds before a PIVOT are CREATE TEMP TYPE … AS ENUM (SELECT DISTINCT the column
 * FROM the pivot's source). A statement DuckDB split otherwise (it wraps a PIVOT inside CREATE TABLE
 * AS, INSERT or EXPLAIN in a transaction of its own) is refused.
 */
function refuseUnlessCreate(type: StatementType, count: number): void {
  if (type !== StatementType.CREATE) throw splitRefusal(count);
}

function splitRefusal(count: number): RefusedStatementError {
  return new RefusedStatementError(
    `DuckDB runs this SQL as ${count} statements; a PIVOT that reads its column values from the data runs ` +
      "here only as a query of its own (or list them: PIVOT … ON column IN ('a', 'b'))",
    false,
  );
}

/** The temporary enum types DuckDB made for PIVOTs on this connection. */
async function pivotEnumCount(conn: DuckDBConnection): Promise<number> {
  const r = await conn.runAndReadAll(
    "SELECT count(*)::INTEGER AS n FROM duckdb_types() WHERE database_name = 'temp' AND starts_with(type_name, '__pivot_enum_')",
  );
  return Number(r.getRows()[0][0]);
}

/**
 * What a DuckDB statement does, from the type DuckDB's parser gave it. PRAGMA
 * statements are refused by their keyword: DuckDB rewrites some into SELECTs
 * (`PRAGMA table_info`), others into settings changes.
 */
export function duckdbStatementKind(type: StatementType, firstKeyword: string): StatementKind {
  if (firstKeyword.toUpperCase() === 'PRAGMA') return 'outside';
  switch (type) {
    case StatementType.SELECT:
    case StatementType.EXPLAIN:
      return 'read';
    case StatementType.INSERT:
    case StatementType.UPDATE:
    case StatementType.DELETE:
    case StatementType.MERGE_INTO:
    case StatementType.CREATE:
    case StatementType.DROP:
    case StatementType.ALTER:
      return 'write';
    default:
      // COPY, ATTACH, DETACH, EXPORT, LOAD, EXTENSION (INSTALL), SET, VARIABLE_SET,
      // PRAGMA, CALL, TRANSACTION, PREPARE, EXECUTE, VACUUM, ANALYZE, COPY_DATABASE, …
      return 'outside';
  }
}

/** BigQuery type name for a DuckDB result column. */
export function fieldTypeOfDuckdb(typeId: DuckDBTypeId): FieldType {
  switch (typeId) {
    case DuckDBTypeId.BOOLEAN:
      return 'BOOL';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return 'INT64';
    case DuckDBTypeId.DECIMAL:
      return 'NUMERIC';
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return 'FLOAT64';
    case DuckDBTypeId.DATE:
      return 'DATE';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'TIMESTAMP';
    default:
      return 'STRING';
  }
}

export function resultFields(result: DuckDBResult): ResultField[] {
  const names = result.deduplicatedColumnNames();
  return names.map((name, i) => ({ name, type: fieldTypeOfDuckdb(result.columnTypeId(i)) }));
}

/** Normalize one DuckDB JSON-converted value (see warehouse.ts `Cell`). */
export function normalizeDuckdbCell(type: FieldType, v: unknown): Cell {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'INT64':
      return normalizeInt(String(v));
    case 'NUMERIC':
      return normalizeNumeric(String(v));
    case 'FLOAT64':
      return typeof v === 'number' ? v : Number(v);
    case 'BOOL':
      return Boolean(v);
    case 'TIMESTAMP':
      return timestampFromDuckdb(String(v));
    case 'DATE':
      return String(v);
    default:
      return typeof v === 'string' ? v : JSON.stringify(v);
  }
}

/**
 * Insert rows given as text values (one array per row, in `columns` order): one
 * statement binding each column as a VARCHAR list, UNNESTed and cast to the
 * column type — small SQL however many rows, and a bad value fails the whole
 * statement. Run it inside the caller's transaction.
 */
export async function insertTextRows(
  conn: DuckDBConnection,
  target: string,
  columns: readonly { name: string; type: string }[],
  rows: readonly (readonly (string | null)[])[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const lists = columns.map((_, c) => listValue(rows.map((r) => r[c])));
  const select = columns.map((col, c) => `CAST(UNNEST($${c + 1}) AS ${col.type})`).join(', ');
  const names = columns.map((col) => duckdbIdent(col.name)).join(', ');
  const r = await conn.run(
    `INSERT INTO ${target} (${names}) SELECT ${select}`,
    lists,
    columns.map(() => LIST(VARCHAR)),
  );
  return r.rowsChanged;
}

/**
 * CAST that refuses to change a value, as BigQuery loads do: DuckDB's own casts
 * round ('12.345' → DECIMAL(12,2) 12.35, '1.5' → BIGINT 2), which would silently
 * alter money and ids. Integers and decimals are checked as text first and a bad
 * value fails the statement with the column named.
 */
export function strictCastSql(expr: string, duckdbType: string, column: string): string {
  const text = `CAST(${expr} AS VARCHAR)`;
  const fail = (what: string) => `error('${column.replaceAll("'", "''")}: cannot load ' || ${text} || ' as ${what}')`;
  if (/^(BIGINT|INTEGER|INT64|HUGEINT)$/i.test(duckdbType)) {
    return `CASE WHEN ${expr} IS NULL THEN NULL WHEN regexp_full_match(trim(${text}), '[+-]?[0-9]+') THEN CAST(trim(${text}) AS ${duckdbType}) ELSE ${fail('INT64')} END`;
  }
  const dec = /^DECIMAL\(\s*(\d+)\s*,\s*(\d+)\s*\)$/i.exec(duckdbType);
  if (dec) {
    const scale = Number(dec[2]);
    const pattern = scale > 0 ? `[+-]?([0-9]+(\\.[0-9]{0,${scale}})?|\\.[0-9]{1,${scale}})` : '[+-]?[0-9]+\\.?';
    return `CASE WHEN ${expr} IS NULL THEN NULL WHEN regexp_full_match(trim(${text}), '${pattern}') THEN CAST(trim(${text}) AS ${duckdbType}) ELSE ${fail(`NUMERIC(${dec[1]}, ${scale})`)} END`;
  }
  return `CAST(${expr} AS ${duckdbType})`;
}
