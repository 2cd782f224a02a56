/** A throwaway in-memory DuckDB for tests that read back what the code wrote (Parquet, CSV, DDL). */
import type { DuckDBConnection } from '@duckdb/node-api';
import { createDuckdb } from '../../shared/duckdb-instance.ts';

/** `fn` on a fresh in-memory DuckDB connection, closed afterwards (also when `fn` throws). */
export async function withMemoryDuckDB<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const db = await createDuckdb(':memory:');
  const conn = await db.connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** The rows of one query, as JSON-friendly objects (numbers that may exceed 2^53 come back as strings). */
export function queryMemoryDuckDB(sql: string): Promise<Record<string, unknown>[]> {
  return withMemoryDuckDB(async (c) => (await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[]);
}
