/**
 * The BigQuery test server runs concurrent multi-statement transactions as
 * BigQuery does: interleaved, each on its snapshot, a transaction that mutates
 * a table another open (or since committed) transaction mutated is aborted —
 * and inserts never conflict, so two transactions can insert the same key.
 * Interleavings are forced with the server's statement hook, never by timing.
 */
import { BigQuery } from '@google-cloud/bigquery';
import { PassThroughClient } from 'google-auth-library';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBigQueryServer, startBigQueryServer } from './bigquery-server/index.ts';

const PROJECT = 'txn-project';
const DATASET = 'ds';
let server: RunningBigQueryServer;
let bq: BigQuery;
let tables = 0;

beforeAll(async () => {
  server = await startBigQueryServer({ projectId: PROJECT });
  bq = new BigQuery({ projectId: PROJECT, apiEndpoint: server.url, authClient: new PassThroughClient() });
  await bq.createDataset(DATASET);
});

afterEach(() => {
  server.server.beforeTransactionStatement = undefined;
});

afterAll(async () => {
  await server?.stop();
});

/** A fresh `ids` table and a one-row `lock` table per test, their names. */
async function freshTables(): Promise<{ ids: string; lock: string }> {
  const n = ++tables;
  const ids = `ids_${n}`;
  const lock = `lock_${n}`;
  await run(`CREATE TABLE ${DATASET}.${ids} (id STRING)`);
  await run(`CREATE TABLE ${DATASET}.${lock} (n INT64)`);
  await run(`INSERT INTO ${DATASET}.${lock} (n) VALUES (0)`);
  return { ids, lock };
}

async function run(query: string): Promise<Record<string, unknown>[]> {
  const [job] = await bq.createQueryJob({ query, defaultDataset: { datasetId: DATASET } });
  const [rows] = await job.getQueryResults();
  return rows as Record<string, unknown>[];
}

/** Insert `id` unless the table has it: the INSERT-only write a stream commit makes. */
const insertIfAbsent = (ids: string, id: string) =>
  `INSERT INTO ${ids} (id) SELECT '${id}' FROM (SELECT 1 AS one) x WHERE '${id}' NOT IN (SELECT id FROM ${ids})`;

/** A latch: `wait()` resolves once `open()` was called. */
function latch() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, wait: () => opened };
}

/**
 * Run two scripts so that A has begun its transaction and run `holdA` statements
 * before B starts, and A goes on only once B has finished (or failed).
 */
async function interleave(a: string, b: string, holdA: number): Promise<[unknown, unknown]> {
  const aHeld = latch();
  const bDone = latch();
  let aJob: string | undefined;
  server.server.beforeTransactionStatement = async ({ jobId, index }) => {
    aJob ??= jobId;
    if (jobId === aJob && index === holdA) {
      aHeld.open();
      await bDone.wait();
    }
  };
  const first = run(a).then(
    (r) => r,
    (e: Error) => e,
  );
  await aHeld.wait();
  const second = await run(b).then(
    (r) => r,
    (e: Error) => e,
  );
  bDone.open();
  return [await first, second];
}

describe('BigQuery test server: concurrent transactions', () => {
  it('two transactions that only insert both commit, and both insert a key neither saw: the race BigQuery has', async () => {
    const { ids } = await freshTables();
    const tx = `BEGIN TRANSACTION; ${insertIfAbsent(ids, 'X')}; COMMIT TRANSACTION;`;
    const [a, b] = await interleave(tx, tx, 2);
    expect(a).not.toBeInstanceOf(Error);
    expect(b).not.toBeInstanceOf(Error);
    expect(await run(`SELECT id FROM ${ids}`)).toEqual([{ id: 'X' }, { id: 'X' }]);
  });

  it('with an update of one shared row first, the second is aborted; run again, it sees the first’s insert', async () => {
    const { ids, lock } = await freshTables();
    const tx = `BEGIN TRANSACTION; UPDATE ${lock} SET n = n + 1 WHERE TRUE; ${insertIfAbsent(ids, 'Y')}; COMMIT TRANSACTION;`;
    const abortedBefore = server.server.transactions.aborted;
    // A has taken the lock (statement 1) and waits before its insert; B tries to take it.
    const [a, b] = await interleave(tx, tx, 2);
    expect(a).not.toBeInstanceOf(Error);
    expect(b).toBeInstanceOf(Error);
    expect((b as Error).message).toMatch(
      new RegExp(`Transaction is aborted due to concurrent update against table ${PROJECT}:${DATASET}\\.${lock}`),
    );
    expect(server.server.transactions.aborted - abortedBefore).toBe(1);
    await run(tx); // B's retry
    expect(await run(`SELECT id FROM ${ids}`)).toEqual([{ id: 'Y' }]);
    expect(await run(`SELECT n FROM ${lock}`)).toEqual([{ n: 2 }]);
  });

  it('a transaction that mutates a table after another committed a mutation of it since it began is aborted', async () => {
    const { ids, lock } = await freshTables();
    // A begins (its snapshot), B updates the lock and commits, then A updates it: first committer wins.
    const a = `BEGIN TRANSACTION; SELECT COUNT(*) AS n FROM ${ids}; UPDATE ${lock} SET n = n + 1 WHERE TRUE; COMMIT TRANSACTION;`;
    const b = `BEGIN TRANSACTION; UPDATE ${lock} SET n = n + 10 WHERE TRUE; COMMIT TRANSACTION;`;
    const [ra, rb] = await interleave(a, b, 2);
    expect(rb).not.toBeInstanceOf(Error);
    expect((ra as Error).message).toMatch(/aborted due to concurrent update/);
    expect(await run(`SELECT n FROM ${lock}`)).toEqual([{ n: 10 }]);
  });

  it('mutations of different tables, and inserts into a table another transaction mutates, do not conflict', async () => {
    const t1 = await freshTables();
    const t2 = await freshTables();
    const a = `BEGIN TRANSACTION; UPDATE ${t1.lock} SET n = n + 1 WHERE TRUE; DELETE FROM ${t1.ids} WHERE TRUE; COMMIT TRANSACTION;`;
    const b = `BEGIN TRANSACTION; UPDATE ${t2.lock} SET n = n + 1 WHERE TRUE; INSERT INTO ${t1.ids} (id) VALUES ('Z'); COMMIT TRANSACTION;`;
    const [ra, rb] = await interleave(a, b, 2);
    expect(ra).not.toBeInstanceOf(Error);
    expect(rb).not.toBeInstanceOf(Error);
    // A's delete ran on its snapshot, before B's insert existed.
    expect(await run(`SELECT id FROM ${t1.ids}`)).toEqual([{ id: 'Z' }]);
  });

  it('a MERGE conflicts only when it updated rows: one that only inserted is an append, as on BigQuery', async () => {
    const { ids } = await freshTables();
    await run(`INSERT INTO ${ids} (id) VALUES ('old')`);
    const upsert = (id: string) =>
      `MERGE ${ids} T USING (SELECT '${id}' AS id) S ON T.id = S.id WHEN MATCHED THEN UPDATE SET id = S.id WHEN NOT MATCHED THEN INSERT (id) VALUES (S.id)`;
    const inserting = `BEGIN TRANSACTION; ${upsert('M')}; COMMIT TRANSACTION;`;
    const [a, b] = await interleave(inserting, inserting, 2);
    expect(a).not.toBeInstanceOf(Error);
    expect(b).not.toBeInstanceOf(Error);
    expect(await run(`SELECT id FROM ${ids} WHERE id = 'M'`)).toEqual([{ id: 'M' }, { id: 'M' }]);
    const updating = `BEGIN TRANSACTION; ${upsert('old')}; COMMIT TRANSACTION;`;
    const [c, d] = await interleave(updating, updating, 2);
    expect(c).not.toBeInstanceOf(Error);
    expect((d as Error).message).toMatch(/aborted due to concurrent update/);
  });

  it('an aborted transaction leaves nothing behind, and a script that ends inside its transaction rolls it back', async () => {
    const { ids, lock } = await freshTables();
    const a = `BEGIN TRANSACTION; UPDATE ${lock} SET n = n + 1 WHERE TRUE; INSERT INTO ${ids} (id) VALUES ('A'); COMMIT TRANSACTION;`;
    const b = `BEGIN TRANSACTION; INSERT INTO ${ids} (id) VALUES ('B'); UPDATE ${lock} SET n = n + 1 WHERE TRUE; COMMIT TRANSACTION;`;
    const [, rb] = await interleave(a, b, 2);
    expect((rb as Error).message).toMatch(/aborted due to concurrent update/);
    await run(`BEGIN TRANSACTION; INSERT INTO ${ids} (id) VALUES ('C')`);
    expect(await run(`SELECT id FROM ${ids}`)).toEqual([{ id: 'A' }]);
    // The lock is free again: a later transaction takes it.
    await run(`BEGIN TRANSACTION; UPDATE ${lock} SET n = n + 1 WHERE TRUE; COMMIT TRANSACTION;`);
    expect(await run(`SELECT n FROM ${lock}`)).toEqual([{ n: 2 }]);
  });
});
