/**
 * The commit lock: one row of `commit_lock` that every writing transaction
 * updates as its first statement.
 *
 * Why: BigQuery runs multi-statement transactions with snapshot isolation and
 * detects conflicts only between transactions that *mutate* (update or delete
 * rows of) the same table — a conflicting one is aborted ("Transaction is
 * aborted due to concurrent update", retried by the warehouse). Inserts and
 * INSERT-only MERGEs never conflict: two consumers committing the same
 * transaction_id at the same moment would both find it absent from silver in
 * their snapshots and both insert it. Updating one shared row makes every pair
 * of concurrent writing transactions conflict, so they take effect one after
 * the other and each decides against everything committed before it.
 * DuckDB (one process per file, one statement at a time per handle) needs no
 * lock, but runs the same statement so the SQL is the same on both.
 *
 * The row is seeded when the warehouse is opened for writing (two processes
 * seeding at once may leave two rows: the update takes them all, which is just
 * as good); the statement itself is an upsert, so a lost row comes back at the
 * next commit instead of leaving transactions unserialized.
 */
import { currentTimestampSql } from './merge.ts';
import type { Dialect } from './warehouse.ts';

export const COMMIT_LOCK_TABLE = 'commit_lock';
const LOCK_NAME = 'warehouse';

/** The first statement of every writing transaction. */
export function takeCommitLockSql(dialect: Dialect): string {
  const now = currentTimestampSql(dialect);
  const into = dialect === 'duckdb' ? 'MERGE INTO' : 'MERGE';
  return `${into} ${COMMIT_LOCK_TABLE} T
USING (SELECT '${LOCK_NAME}' AS name) S
ON T.name = S.name
WHEN MATCHED THEN UPDATE SET commits = T.commits + 1, updated_at = ${now}
WHEN NOT MATCHED THEN INSERT (name, commits, updated_at) VALUES (S.name, 1, ${now})`;
}

/** Insert the lock's row if the table has none (when a writer opens the warehouse). */
export function seedCommitLockSql(dialect: Dialect): string {
  return `INSERT INTO ${COMMIT_LOCK_TABLE} (name, commits, updated_at)
SELECT '${LOCK_NAME}', 0, ${currentTimestampSql(dialect)} FROM (SELECT 1 AS one) x
WHERE NOT EXISTS (SELECT 1 FROM ${COMMIT_LOCK_TABLE})`;
}
