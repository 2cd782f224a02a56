/**
 * Concurrent multi-statement transactions as BigQuery runs them
 * (https://cloud.google.com/bigquery/docs/transactions#transaction_concurrency),
 * for the test server:
 *
 * - each job whose script holds a transaction runs on a DuckDB connection of
 *   its own, statement by statement, so the transactions of concurrent jobs
 *   interleave; each reads the snapshot taken at its BEGIN (DuckDB's MVCC), as
 *   BigQuery's snapshot isolation does;
 * - a transaction that mutates a table — updates or deletes rows of it, by
 *   UPDATE, DELETE, TRUNCATE or MERGE — while another open transaction has mutated
 *   it, or after a transaction that mutated it committed since this one began,
 *   is aborted with BigQuery's "Transaction is aborted due to concurrent update
 *   against table …" (BigQuery's conflicts are per table; DuckDB's own, per
 *   row, are reported the same way);
 * - INSERTs and INSERT-only MERGEs never conflict, on BigQuery as here: two
 *   transactions that both find a key absent both insert it.
 *
 * Jobs without a transaction still run one at a time on the server's own
 * connection (BigQuery queues conflicting DML outside transactions).
 */
import { tokenize } from '../../../warehouse/sql-lexer.ts';
import { BqHttpError } from './errors.ts';

interface TableState {
  /** The open transaction that mutated the table, if any. */
  holder?: number;
  /** Clock value of the last commit of a transaction that mutated it. */
  committedAt: number;
}

export interface OpenTransaction {
  readonly id: number;
  /**
   * A statement of the transaction updated or deleted rows of `table` (its
   * inserts do not count): refused if another open transaction mutated it, or
   * one that did committed since this one began.
   */
  mutated(table: string): void;
  commit(): void;
  /** Rolled back or failed: what it held is free again. */
  end(): void;
}

export class TransactionTracker {
  private clock = 0;
  private ids = 0;
  private readonly tables = new Map<string, TableState>();
  private abortCount = 0;
  private readonly abortWaiters: { n: number; resolve: () => void }[] = [];

  /** Transactions aborted for a concurrent update. */
  get aborted(): number {
    return this.abortCount;
  }

  /** Count an aborted transaction (and wake who waits for it). */
  countAbort(): void {
    this.abortCount++;
    for (const w of this.abortWaiters.filter((x) => x.n <= this.abortCount)) {
      this.abortWaiters.splice(this.abortWaiters.indexOf(w), 1);
      w.resolve();
    }
  }

  /** Tests: resolves once `n` transactions in all were aborted. */
  abortedAtLeast(n: number): Promise<void> {
    if (this.abortCount >= n) return Promise.resolve();
    return new Promise((resolve) => this.abortWaiters.push({ n, resolve }));
  }

  /** A transaction begins now (its snapshot). */
  begin(projectId: string): OpenTransaction {
    const id = ++this.ids;
    const startedAt = this.clock;
    const held = new Set<string>();
    const release = () => {
      for (const t of held) {
        const s = this.tables.get(t);
        if (s?.holder === id) s.holder = undefined;
      }
      held.clear();
    };
    return {
      id,
      mutated: (target) => {
        const state = this.tables.get(target) ?? { committedAt: 0 };
        this.tables.set(target, state);
        if ((state.holder !== undefined && state.holder !== id) || state.committedAt > startedAt) {
          this.countAbort();
          throw concurrentUpdate(projectId, target);
        }
        state.holder = id;
        held.add(target);
      },
      commit: () => {
        this.clock++;
        for (const t of held) {
          const s = this.tables.get(t);
          if (s) s.committedAt = this.clock;
        }
        release();
      },
      end: release,
    };
  }
}

/** The job error of an aborted transaction, as BigQuery words it. */
export function concurrentUpdate(projectId: string, table: string): BqHttpError {
  return new BqHttpError(
    400,
    'invalidQuery',
    `Transaction is aborted due to concurrent update against table ${projectId}:${table}.`,
  );
}

/** DuckDB's own (row-level) write-write conflict. */
export function isDuckdbConflict(err: unknown): boolean {
  return /Conflict on (update|tuple deletion)|write-write conflict/i.test(
    err instanceof Error ? err.message : String(err),
  );
}

/** Whether a BigQuery script holds a transaction. */
export function hasTransaction(sql: string): boolean {
  return /\bBEGIN\s+TRANSACTION\b/i.test(sql);
}

/** The statement's kind of transaction boundary, if it is one. */
export function transactionBoundary(sql: string): 'begin' | 'commit' | 'rollback' | undefined {
  const words = significantWords(sql, 2);
  if (words[0] === 'BEGIN' && (words[1] === 'TRANSACTION' || words[1] === undefined)) return 'begin';
  if (words[0] === 'COMMIT') return 'commit';
  if (words[0] === 'ROLLBACK') return 'rollback';
  return undefined;
}

/**
 * `dataset.table` a statement may mutate — UPDATE, DELETE, TRUNCATE, MERGE — or
 * undefined (reads, inserts). Whether it did is told by the rows it changed (a
 * MERGE: whether any were updated or deleted, not only inserted).
 */
export function mutationTarget(
  sql: string,
  dataset: string | undefined,
): { table: string; merge: boolean } | undefined {
  const tokens = tokenize(sql).filter((t) => t.kind !== 'space' && t.kind !== 'comment');
  const word = (i: number) => (tokens[i]?.kind === 'word' ? tokens[i].text.toUpperCase() : '');
  const at: Record<string, number> = {
    UPDATE: 1,
    DELETE: word(1) === 'FROM' ? 2 : 1,
    TRUNCATE: 2,
    MERGE: word(1) === 'INTO' ? 2 : 1,
  };
  const t = tokens[at[word(0)] ?? -1];
  if (t === undefined) return undefined;
  const parts = (t.kind === 'backtick' ? t.text.slice(1, -1) : t.text).split('.');
  const ds = parts.length >= 2 ? parts[parts.length - 2] : dataset;
  return { table: `${ds ?? ''}.${parts[parts.length - 1]}`, merge: word(0) === 'MERGE' };
}

function significantWords(sql: string, n: number): string[] {
  return tokenize(sql)
    .filter((t) => t.kind === 'word')
    .slice(0, n)
    .map((t) => t.text.toUpperCase());
}
