/**
 * Commit a group of staged files in ONE transaction: valid rows → bronze_sales,
 * new transaction_ids → silver_sales (ids already in silver, or repeated in the
 * group, are counted as duplicates and not inserted; the first occurrence in
 * file order wins), invalid rows → quarantine_sales with file, line and
 * reasons, and one load_log row per file. A crash before COMMIT leaves no
 * trace; after it, every file of the group is loaded and logged together.
 *
 * Still all-or-nothing per file: a file over the error-rate limit (or with a
 * bad layout, or no rows) loads nothing — its load_log row (status rejected,
 * with the reason) is written in the same transaction, and so are its invalid
 * rows, into quarantine_sales marked `_file_rejected`, so that why the file
 * was refused stays inspectable row by row.
 *
 * Why groups: a transaction per file paid a COMMIT and a join against all of
 * silver per file (≈ 70% of the time on a 75-file lake). Here the group's
 * staged rows are read and validated once into one `stage_group` table (a TEMP
 * table on DuckDB, so it never reaches the database file), with the
 * keep-or-duplicate decision made there by a single join and window; the
 * inserts only filter it.
 */
import { stagingFields } from '../../warehouse/tables.ts';
import type { Params, Warehouse } from '../../warehouse/warehouse.ts';
import { formatPercent } from '../../shared/format.ts';
import { type BigQueryField, COLUMN_NAMES, type SalesDomains } from '../../shared/schema/index.ts';
import { checkpoint } from '../crash.ts';
import { type LoadStatus, logRowSql } from '../../warehouse/load-log.ts';
import type { FileOutcome } from '../file-outcome.ts';
import { dropStaging, type StagedFile } from './stage.ts';
import { filledStaging, rawRowExpression, reasonsExpression, validPredicate } from './validation-sql.ts';

export interface CommitOptions {
  /** Largest share of invalid rows a file may have and still load (0..1). */
  maxErrorRate: number;
  domains?: SalesDomains;
}

/** The group's validated rows; one writer per warehouse is assumed, so one name does. */
export const GROUP_TABLE = 'stage_group';

/** Its columns: the staged sales columns, where each row came from, and the two verdicts. */
const GROUP_FIELDS: BigQueryField[] = [
  ...stagingFields(),
  { name: '_file_idx', type: 'INT64', mode: 'NULLABLE' },
  { name: '_line', type: 'INT64', mode: 'NULLABLE' },
  { name: '_seq', type: 'INT64', mode: 'NULLABLE' },
  /** The row's file is refused (its invalid rows still go to quarantine, marked). */
  { name: '_refused', type: 'BOOL', mode: 'NULLABLE' },
  { name: 'ok', type: 'BOOL', mode: 'NULLABLE' },
  { name: 'keep', type: 'BOOL', mode: 'NULLABLE' },
];

interface FileCounts {
  staged: number;
  valid: number;
  kept: number;
}

/** A file's fate, with its counts (rowsRead includes the rows refused in-process). */
type Decision = { rowsRead: number; rowsRejected: number } & (
  | { load: true; valid: number; kept: number }
  | { load: false; error: string }
);

export async function commitGroup(
  w: Warehouse,
  group: readonly StagedFile[],
  opts: CommitOptions,
): Promise<FileOutcome[]> {
  const todo = group.filter((s) => !s.prior && s.waiting === undefined);
  const { decisions, loadable, refused } = await decide(w, todo, opts);

  const statements: string[] = [];
  const params: Params = {};
  if (loadable.length > 0) {
    const sql = loadSql(w, loadable, refused, opts);
    statements.push(...sql.statements);
    Object.assign(params, sql.params);
  }
  const outcomes: FileOutcome[] = [];
  for (const [i, s] of todo.entries()) {
    const d = decisions.get(s) as Decision;
    const outcome = outcomeOf(d);
    const entry = {
      file: s.file.uri,
      attempt: s.attempt,
      sizeBytes: s.file.size,
      checksum: s.file.checksum,
      startedAt: s.startedAt,
      ...outcome,
    };
    const row = logRowSql(w, entry, `log${i}_`);
    statements.push(row.sql);
    Object.assign(params, row.params);
    outcomes.push({ key: s.file.key, uri: s.file.uri, seconds: 0, alreadyDone: false, ...outcome });
  }
  if (statements.length > 0) await w.run(w.sql.transaction(statements), { params });
  await checkpoint(
    'after-commit',
    group.map((s) => s.file.key),
  );

  await w.dropTable(GROUP_TABLE);
  for (const s of todo) await dropStaging(w, s);
  const byFile = new Map(todo.map((s, i) => [s, outcomes[i]]));
  return group.map(
    (s) =>
      byFile.get(s) ?? {
        key: s.file.key,
        uri: s.file.uri,
        status: s.prior?.status ?? 'waiting',
        rowsRead: 0,
        rowsLoaded: 0,
        rowsRejected: 0,
        rowsDuplicate: 0,
        ...(s.waiting === undefined ? {} : { error: s.waiting }),
        alreadyDone: s.prior !== undefined,
        seconds: 0,
      },
  );
}

/**
 * Which files load: a bad layout, no rows, or more invalid rows than the limit
 * refuse a file. The staged files' rows go into the group table (file i of
 * `loadable` is `_file_idx` i). When the error-rate check refuses a file that
 * has rows, the table is built again with that file marked `_refused`: its
 * rows neither land nor shadow another file's rows as "duplicates", but its
 * invalid rows are still there for quarantine (decisions do not change: they
 * rest on the row checks alone; only the kept counts do).
 */
async function decide(
  w: Warehouse,
  todo: readonly StagedFile[],
  opts: CommitOptions,
): Promise<{ decisions: Map<StagedFile, Decision>; loadable: StagedFile[]; refused: Set<number> }> {
  const decisions = new Map<StagedFile, Decision>();
  const refuse = (s: StagedFile, error: string, rowsRead = 0, rowsRejected = 0) =>
    decisions.set(s, { load: false, error, rowsRead, rowsRejected });
  for (const s of todo) {
    if (s.layoutError !== undefined || !s.rowsTable) refuse(s, s.layoutError ?? 'nothing was staged');
  }
  const loadable = todo.filter((s) => !decisions.has(s));
  let counts = await buildGroupTable(w, loadable, new Set(), opts);
  const countsOf = (i: number) => counts.get(i) ?? { staged: 0, valid: 0, kept: 0 };
  const refused = new Set<number>();
  for (const [i, s] of loadable.entries()) {
    const c = countsOf(i);
    const rowsRead = c.staged + s.rejectedInProcess;
    const rowsRejected = rowsRead - c.valid;
    if (rowsRead === 0) {
      refused.add(i);
      refuse(s, 'no data rows (the file has only a header, or is empty)');
    } else if (rowsRejected / rowsRead > opts.maxErrorRate) {
      refused.add(i);
      const rate = rowsRejected / rowsRead;
      refuse(
        s,
        `${rowsRejected} of ${rowsRead} rows are invalid (${formatPercent(rate)}), above --max-error-rate ${formatPercent(opts.maxErrorRate)}: file not loaded`,
        rowsRead,
        rowsRejected,
      );
    } else {
      decisions.set(s, { load: true, rowsRead, rowsRejected, valid: c.valid, kept: c.kept });
    }
  }
  if ([...refused].some((i) => countsOf(i).staged > 0)) {
    counts = await buildGroupTable(w, loadable, refused, opts);
    for (const [i, s] of loadable.entries()) {
      const d = decisions.get(s) as Decision;
      if (d.load) d.kept = countsOf(i).kept;
    }
  }
  return { decisions, loadable, refused };
}

function outcomeOf(
  d: Decision,
): Pick<FileOutcome, 'rowsRead' | 'rowsLoaded' | 'rowsRejected' | 'rowsDuplicate' | 'error'> & { status: LoadStatus } {
  const { rowsRead, rowsRejected } = d;
  if (!d.load) return { status: 'rejected', rowsRead, rowsLoaded: 0, rowsRejected, rowsDuplicate: 0, error: d.error };
  return {
    status: rowsRejected > 0 ? 'partial' : 'loaded',
    rowsRead,
    rowsLoaded: d.kept,
    rowsRejected,
    rowsDuplicate: d.valid - d.kept,
  };
}

/** `_source_file` from the group table's file index (one CASE branch per file). */
function sourceFileExpression(count: number): string {
  return `CASE _file_idx ${Array.from({ length: count }, (_, i) => `WHEN ${i} THEN @f${i}_file`).join(' ')} END`;
}

/**
 * (Re)create the group table from the staging tables of every file — columns,
 * file index i, line, `_refused` (i is in `refused`), `ok` (passes validation)
 * and `keep` (the row enters silver: ok, its file not refused, not in silver
 * yet, first of its transaction_id among such rows) — and return per-file
 * counts keyed by i.
 */
async function buildGroupTable(
  w: Warehouse,
  files: readonly StagedFile[],
  refused: ReadonlySet<number>,
  opts: CommitOptions,
): Promise<Map<number, FileCounts>> {
  const counts = new Map<number, FileCounts>();
  if (files.length === 0) {
    await w.dropTable(GROUP_TABLE);
    return counts;
  }
  const cols = COLUMN_NAMES.join(', ');
  const params: Params = {};
  const branches = files.map((s, i) => {
    const filled = filledStaging(w.ref(s.rowsTable as string), s.file.partitionValues, `f${i}_`);
    Object.assign(params, filled.params);
    return `SELECT ${cols}, ${i} AS _file_idx, _line, _seq, ${refused.has(i) ? 'TRUE' : 'FALSE'} AS _refused FROM ${filled.sql} s${i}`;
  });
  // Created empty, then filled by an INSERT: query parameters (the hive partition values)
  // are certain to be accepted in DML on BigQuery, less so in CREATE TABLE … AS.
  await w.createTable(GROUP_TABLE, GROUP_FIELDS, { replace: true, scratch: true });
  await w.run(
    `INSERT INTO ${w.ref(GROUP_TABLE)} (${GROUP_FIELDS.map((f) => f.name).join(', ')})
SELECT v.*, (v.ok AND NOT v._refused AND t.transaction_id IS NULL
  AND ROW_NUMBER() OVER (PARTITION BY v.transaction_id, (v.ok AND NOT v._refused) ORDER BY v._file_idx, v._seq, v._line, v.customer_id) = 1) AS keep
FROM (SELECT u.*, ${validPredicate(w.sql, opts.domains)} AS ok FROM (
${branches.join('\nUNION ALL\n')}
) u) v
LEFT JOIN ${w.ref('silver_sales')} t ON t.transaction_id = v.transaction_id`,
    { params },
  );
  const { rows } = await w.query(
    `SELECT _file_idx AS f, COUNT(*) AS staged, SUM(CASE WHEN ok THEN 1 ELSE 0 END) AS valid,
  SUM(CASE WHEN keep THEN 1 ELSE 0 END) AS kept
FROM ${w.ref(GROUP_TABLE)} GROUP BY _file_idx`,
  );
  for (const r of rows) {
    counts.set(Number(r.f), { staged: Number(r.staged), valid: Number(r.valid), kept: Number(r.kept) });
  }
  return counts;
}

/**
 * The data statements of the commit: the loading files' valid rows to bronze
 * (and the new ones to silver), every staged file's invalid rows to quarantine
 * — a refused file's marked `_file_rejected`.
 */
function loadSql(
  w: Warehouse,
  files: readonly StagedFile[],
  refused: ReadonlySet<number>,
  opts: CommitOptions,
): { statements: string[]; params: Params } {
  const cols = COLUMN_NAMES.join(', ');
  const now = w.sql.now();
  const group = w.ref(GROUP_TABLE);
  const file = sourceFileExpression(files.length);
  const statements = [
    `INSERT INTO ${w.ref('bronze_sales')} (${cols}, _source_file, _line, _ingested_at)
SELECT ${cols}, ${file}, _line, ${now} FROM ${group} WHERE ok AND NOT _refused`,
    `INSERT INTO ${w.ref('quarantine_sales')} (raw_row, _source_file, _line, reasons, _ingested_at, _file_rejected)
SELECT ${rawRowExpression()}, ${file}, _line, ${reasonsExpression(w.sql, opts.domains)}, ${now}, _refused FROM ${group} WHERE NOT ok`,
    `INSERT INTO ${w.ref('silver_sales')} (${cols}, _source_file, _loaded_at)
SELECT ${cols}, ${file}, ${now} FROM ${group} WHERE keep`,
  ];
  // Rows refused in-process (text files) were staged with their reasons already.
  for (const [i, s] of files.entries()) {
    if (s.rejectsTable === undefined) continue;
    statements.push(`INSERT INTO ${w.ref('quarantine_sales')} (raw_row, _source_file, _line, reasons, _ingested_at, _file_rejected)
SELECT COALESCE(raw_row, ''), @f${i}_file, _line, COALESCE(reasons, 'invalid row'), ${now}, ${refused.has(i) ? 'TRUE' : 'FALSE'} FROM ${w.ref(s.rejectsTable)}`);
  }
  return { statements, params: Object.fromEntries(files.map((s, i) => [`f${i}_file`, s.file.uri])) };
}
