/**
 * `--no-create`: against a dataset someone else owns (Terraform), the commands
 * check that what they need is there — the dataset, every table with the
 * columns the code writes and reads, every view — and create nothing (never
 * `CREATE OR REPLACE` a view). What is missing is named, and the run is
 * refused (exit 2) before it reads or writes anything.
 */
import { EXIT_USAGE, SalesflowError } from '../shared/errors.ts';
import { TABLES } from './tables.ts';
import { VIEWS } from './views.ts';

/** What a warehouse holds, as far as the check is concerned. */
export interface WarehouseCatalog {
  /** The dataset (BigQuery) or file (DuckDB) exists. */
  exists: boolean;
  /** Tables by name, with their column names. */
  tables: Map<string, ReadonlySet<string>>;
  views: Set<string>;
}

/** `dataset …`, `table …`, `column table.column`, `view …` for everything the code needs and `catalog` lacks. */
export function missingObjects(catalog: WarehouseCatalog, container: string): string[] {
  if (!catalog.exists) return [container];
  const missing: string[] = [];
  for (const def of TABLES) {
    const columns = catalog.tables.get(def.name);
    if (columns === undefined) missing.push(`table ${def.name}`);
    else for (const f of def.fields) if (!columns.has(f.name)) missing.push(`column ${def.name}.${f.name}`);
  }
  for (const v of VIEWS) if (!catalog.views.has(v.name)) missing.push(`view ${v.name}`);
  return missing;
}

export class WarehouseNotReadyError extends SalesflowError {
  constructor(target: string, missing: readonly string[]) {
    super(
      `warehouse ${target} lacks what the commands need, and --no-create creates nothing: ${missing.join(', ')}. ` +
        'Apply the Terraform configuration (terraform/, its tables and views are generated from the code), or run ' +
        'once without --no-create',
      {
        code: 'WAREHOUSE_NOT_READY',
        retry: 'terminal',
        context: { object: target, step: 'check', missing },
        exitCode: EXIT_USAGE,
      },
    );
  }
}
