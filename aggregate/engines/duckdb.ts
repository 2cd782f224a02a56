/**
 * The default engine: embedded DuckDB over the hive-partitioned Parquet files
 * (or a CSV file read with our types). Each file's schema is checked from the
 * Parquet footers first (parquet_schema), so a wrong file is named.
 */
import { open } from 'node:fs/promises';
import { type DuckDBConnection, DuckDBDecimalValue } from '@duckdb/node-api';
import { createDuckdb } from '../../shared/duckdb-instance.ts';
import { InputError, SalesflowError } from '../../shared/errors.ts';
import { COLUMN_NAMES, type ColumnName } from '../../shared/schema/columns.ts';
import { loadDomains } from '../../shared/schema/domains.ts';
import type { AggregateEngine } from '../engine.ts';
import { checkFileColumns, type FoundColumn } from '../../shared/schema/file-columns.ts';
import { type GroupTotals, needsMinMax } from '../groups.ts';
import { type LakeFile, openLocalSource, pruneFiles } from '../lake.ts';
import { type AggregateQuery, filtersKey } from '../query.ts';
import { textRowValidSql, typedColumnsSql } from './csv-validation-sql.ts';
import { duckdbCsvTextFrom, duckdbGroupingSetsSql, duckdbParquetFrom, duckdbQuerySql } from './duckdb-sql.ts';
import { duckdbString } from '../../shared/duckdb-quote.ts';

export const duckdbEngine: AggregateEngine = {
  name: 'duckdb',
  async aggregate(source, queries) {
    const src = openLocalSource(source);
    const instance = await createDuckdb(':memory:');
    const conn = await instance.connect();
    try {
      const out: GroupTotals[][] = queries.map(() => []);
      // Reports with the same filter share one scan (GROUPING SETS).
      const batches = new Map<string, number[]>();
      for (const [i, q] of queries.entries()) {
        const id = filtersKey(q.where);
        batches.set(id, [...(batches.get(id) ?? []), i]);
      }
      if (src.kind === 'csv') {
        const from = await validatedCsv(conn, src.path);
        for (const idx of batches.values()) await runBatch(conn, queries, idx, from, src.path, out);
        return out;
      }
      // Folders a --where rules out are never opened, not even for their schema.
      const perQuery = queries.map((q) => pruneFiles(src.files, q.where));
      const touched = src.files.filter((f) => perQuery.some((files) => files.includes(f)));
      if (touched.length > 0) await checkSchemas(conn, touched, src.partitionColumns);
      for (const idx of batches.values()) {
        const files = perQuery[idx[0]];
        if (files.length === 0) continue;
        await runBatch(conn, queries, idx, duckdbParquetFrom(files, src.partitionColumns), src.root, out);
      }
      return out;
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  },
};

async function run(conn: DuckDBConnection, sql: string, file: string): Promise<unknown[][]> {
  try {
    return (await conn.runAndReadAll(sql)).getRows();
  } catch (err) {
    if (err instanceof SalesflowError) throw err;
    // DuckDB names the file and line of a bad CSV value or an unreadable Parquet file in its message.
    throw new InputError(`DuckDB could not read the source: ${concise((err as Error).message)}`, {
      file,
      step: 'aggregate',
    });
  }
}

/** Rows reported when a CSV has invalid ones. */
const MAX_REPORTED_ROWS = 5;

/**
 * A CSV aggregated directly must be valid by the validator's verdict, as if
 * to-parquet had read it: the header is checked, every row is judged as text in
 * one DuckDB scan, and only then are fields cast. Bad rows are an error naming
 * their lines and reasons (found with the validator itself); to keep the good
 * rows of a bad file, use to-parquet --max-errors or pipeline batch.
 */
async function validatedCsv(conn: DuckDBConnection, path: string): Promise<string> {
  const { firstRejects } = await import('../../transform/read-sales.ts');
  const domains = loadDomains();
  await checkHeader(path);
  const raw = duckdbCsvTextFrom(path);
  const [first] = await run(conn, `SELECT COUNT(*) FROM ${raw} WHERE NOT (${textRowValidSql(domains)})`, path);
  const bad = Number(first[0]);
  if (bad > 0) {
    const rejects = await firstRejects(path, MAX_REPORTED_ROWS, { domains });
    throw new InputError(
      `${bad} row${bad === 1 ? ' is' : 's are'} not valid sales rows; aggregate reads a CSV only when every row is ` +
        `(to-parquet --max-errors or pipeline batch keep bad rows aside):\n` +
        rejects.map((r) => `  ${r.file}:${r.line}: ${r.reason}`).join('\n'),
      { file: path, step: 'validate' },
    );
  }
  return `(SELECT ${typedColumnsSql()} FROM ${raw})`;
}

/** The header line, checked like every reader checks it (DuckDB's header = true only skips it). */
async function checkHeader(path: string): Promise<void> {
  const { consumeHeader } = await import('../../transform/header.ts');
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    consumeHeader(buf.subarray(0, bytesRead), path);
  } finally {
    await fh.close();
  }
}

/** DuckDB quotes the offending line whole ("Original Line: …"), which can be megabytes: keep each line short. */
function concise(message: string): string {
  return message
    .split('\n')
    .map((l) => (l.length > 300 ? `${l.slice(0, 300)}… (${l.length} characters)` : l))
    .join('\n');
}

/** Run the queries at `idx` (same filter) in one statement; fill `out[i]` for each. */
async function runBatch(
  conn: DuckDBConnection,
  queries: readonly AggregateQuery[],
  idx: readonly number[],
  from: string,
  file: string,
  out: GroupTotals[][],
): Promise<void> {
  const totals = (r: unknown[], at: number, minMax: boolean): Omit<GroupTotals, 'keys'> => ({
    count: BigInt(r[at] as bigint),
    sum: cents(r[at + 1]),
    min: minMax ? cents(r[at + 2]) : undefined,
    max: minMax ? cents(r[at + 3]) : undefined,
  });
  const label = (v: unknown) => (v === null ? '' : String(v));
  if (idx.length === 1) {
    const q = queries[idx[0]];
    const rows = await run(conn, duckdbQuerySql(q, from), file);
    const n = q.by.length;
    out[idx[0]] = rows.map((r) => ({ keys: r.slice(0, n).map(label), ...totals(r, n, needsMinMax(q)) }));
    return;
  }
  const batch = idx.map((i) => queries[i]);
  const plan = duckdbGroupingSetsSql(batch, from);
  const minMax = batch.some(needsMinMax);
  for (const r of await run(conn, plan.sql, file)) {
    const gid = Number(r[plan.keyCount]);
    plan.masks.forEach((mask, b) => {
      if (mask !== gid) return;
      const keys = plan.keyColumns[b].map((k) => label(r[k]));
      out[idx[b]].push({ keys, ...totals(r, plan.keyCount + 1, minMax) });
    });
  }
}

/** DECIMAL(_, 2) → integer cents, exactly (the scaled bigint DuckDB hands back). */
function cents(v: unknown): bigint {
  if (v instanceof DuckDBDecimalValue) {
    if (v.scale === 2) return v.value;
    const f = 10n ** BigInt(Math.abs(v.scale - 2));
    return v.scale > 2 ? v.value / f : v.value * f;
  }
  throw new Error(`expected a DECIMAL from DuckDB, got ${typeof v} ${String(v)}`);
}

/** Every file must carry every sales column not given by its partition folders, with our types. */
async function checkSchemas(conn: DuckDBConnection, files: readonly LakeFile[], partitions: readonly ColumnName[]) {
  const list = `[${files.map((f) => duckdbString(f.path)).join(', ')}]`;
  let rows: Record<string, unknown>[];
  try {
    rows = (
      await conn.runAndReadAll(
        `SELECT file_name, name, type, converted_type, scale, logical_type FROM parquet_schema(${list})`,
      )
    ).getRowObjectsJS() as Record<string, unknown>[];
  } catch (err) {
    const m = /'([^']+\.parquet)'/.exec((err as Error).message);
    throw new InputError(
      `not a readable Parquet file: ${(err as Error).message}`,
      { file: m?.[1], step: 'read schema' },
      err,
    );
  }
  const byFile = new Map<string, [string, FoundColumn][]>(files.map((f) => [f.path, []]));
  for (const r of rows) {
    if (r.type === null) continue; // the root group
    byFile.get(String(r.file_name))?.push([String(r.name), parquetKind(r)]);
  }
  const needed = COLUMN_NAMES.filter((c) => !partitions.includes(c));
  for (const [file, cols] of byFile) checkFileColumns(file, needed, cols);
}

function parquetKind(r: Record<string, unknown>): FoundColumn {
  const type = String(r.type);
  const conv = r.converted_type === null ? '' : String(r.converted_type);
  const logical = r.logical_type === null ? '' : String(r.logical_type);
  const text = conv || logical ? `${type} (${conv || logical})` : type;
  if (conv === 'DECIMAL' || logical.startsWith('DecimalType')) {
    return [Number(r.scale) === 2 && type !== 'BYTE_ARRAY' ? 'decimal2' : 'other', `${text} scale ${r.scale}`];
  }
  if (type === 'BYTE_ARRAY' && (conv === 'UTF8' || logical.startsWith('StringType'))) return ['string', text];
  if (type === 'INT32' && (conv === 'DATE' || logical.startsWith('DateType'))) return ['date', text];
  if (type === 'INT64' && (conv === '' || conv === 'INT_64') && !/Timestamp|Time/.test(logical)) return ['int64', text];
  return ['other', text];
}
