/**
 * What is at a DuckDB warehouse path, read before DuckDB opens it. DuckDB opens
 * an existing file it does not recognise as a database but knows by its
 * extension (`.csv`, `.parquet`, `.json`) as an in-memory database: a load
 * into it "succeeds" and vanishes, and an analyst query reads nothing. Other
 * foreign files it refuses only with an IO error. A database file carries the
 * magic `DUCK` at byte 8 of its header, so the bytes decide, not the name.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/**
 * `empty`: 0 bytes, no warehouse yet (a loader may create one there); `foreign`: a file that is not a
 * DuckDB database; `unreadable`: cannot tell (no permission…): DuckDB's own open reports why.
 */
export type DuckDBFileState = 'missing' | 'empty' | 'database' | 'foreign' | 'folder' | 'unreadable';

const MAGIC = Buffer.from('DUCK');
const MAGIC_OFFSET = 8;

export function duckdbFileState(path: string): DuckDBFileState {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) return 'folder';
    size = st.size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable';
  }
  if (size === 0) return 'empty';
  const head = Buffer.alloc(MAGIC_OFFSET + MAGIC.length);
  let read: number;
  try {
    const fd = openSync(path, 'r');
    try {
      read = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return 'unreadable';
  }
  return read === head.length && head.subarray(MAGIC_OFFSET).equals(MAGIC) ? 'database' : 'foreign';
}
