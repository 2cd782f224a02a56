/**
 * ensure() creates the warehouse's tables when they are missing — on a new
 * warehouse. On one that holds data, a missing table was dropped: re-creating it
 * empty would silently hide rows the load log says were loaded (or, with the
 * load log gone, let kept files load a second time). That is refused, naming
 * the table, so someone restores it or starts a new warehouse knowingly.
 */
import { SalesflowError } from '../shared/errors.ts';
import { DATA_TABLE_NAMES } from './tables.ts';
import type { Warehouse } from './warehouse.ts';

const DATA_TABLES = DATA_TABLE_NAMES.filter((t) => t !== 'load_log');

/** Working tables (staging, the commit lock) are not records: missing, they are just created. */
export async function refuseLostTables(w: Warehouse, existing: ReadonlySet<string>): Promise<void> {
  const missing = DATA_TABLE_NAMES.filter((t) => !existing.has(t));
  if (missing.length === 0 || missing.length === DATA_TABLE_NAMES.length) return;
  const count = async (sql: string) => Number((await w.query(sql)).rows[0]?.n ?? 0);
  let evidence: string | undefined;
  if (existing.has('load_log')) {
    const files = await count(`SELECT COUNT(*) AS n FROM ${w.ref('load_log')} WHERE status IN ('loaded', 'partial')`);
    if (files > 0) evidence = `load_log records ${files} loaded file${files === 1 ? '' : 's'} whose rows it held`;
  } else {
    for (const t of DATA_TABLES.filter((x) => existing.has(x))) {
      const rows = await count(`SELECT COUNT(*) AS n FROM ${w.ref(t)}`);
      if (rows > 0) {
        evidence = `${t} holds ${rows} rows, and without a load log their files would load again`;
        break;
      }
    }
  }
  if (evidence === undefined) return;
  throw new SalesflowError(
    `warehouse ${w.target} has lost ${missing.join(', ')}: ${evidence}; re-creating ${missing.length === 1 ? 'it' : 'them'} empty would hide that. Restore ${missing.length === 1 ? 'it' : 'them'}, or load into a new warehouse`,
    { code: 'WAREHOUSE_INCOMPLETE', context: { object: w.target, step: 'ensure', tables: missing } },
  );
}
