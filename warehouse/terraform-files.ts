/**
 * The warehouse as Terraform reads it, generated from the same definitions the
 * warehouses create (TABLES, VIEWS): `schemas/<table>.json` (google_bigquery_table
 * schema), `tables.json` (description, partitioning, clustering), `views/<view>.sql`
 * (the BigQuery view query as a templatefile with `${project}` and `${dataset}`)
 * and `views.json` (description and which layer a view is created in). Terraform
 * declares the tables and views with for_each over these files, so a table or view
 * added in code reaches Terraform by regenerating, never by editing .tf files.
 * `npm run terraform:generate` writes them; a test fails when they drift.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareAtomicOutput } from '../shared/atomic.ts';
import { ConflictError } from '../shared/errors.ts';
import { TERRAFORM_SALES_SCHEMA_PATH, terraformSalesSchemaJson } from '../shared/schema/index.ts';
import { bigQueryRef } from './bigquery-ref.ts';
import { TABLES, type TableDef } from './tables.ts';
import { VIEWS, type ViewDef } from './views.ts';

/** The command that rewrites the generated files (named in drift messages). */
export const TERRAFORM_GENERATE_COMMAND = 'npm run terraform:generate';

/** Folders (inside the Terraform directory) whose files are all generated: a file there that is not generated is stale. */
export const GENERATED_FOLDERS = [
  { folder: 'schemas', extension: '.json' },
  { folder: 'views', extension: '.sql' },
] as const;

/**
 * Views are created in layers: layer 0 reads only tables, layer 1 reads layer-0
 * views too. Terraform creates all instances of one resource in parallel, so each
 * layer is its own resource, created after the previous one (terraform/bigquery.tf).
 */
export const VIEW_LAYERS = 2;

export interface TerraformFile {
  /** Relative to the Terraform directory, `/`-separated. */
  path: string;
  content: string;
}

export interface TableEntry {
  description: string;
  /** DATE column the table is partitioned on by day, or null. */
  partition_field: string | null;
  clustering: string[];
}

export interface ViewEntry {
  description: string;
  /** Tables and views the view's query reads. */
  reads: string[];
  layer: number;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Every generated file, in a stable order (from TABLES and VIEWS unless given others). */
export function terraformFiles(
  tableDefs: readonly TableDef[] = TABLES,
  viewDefs: readonly ViewDef[] = VIEWS,
): TerraformFile[] {
  const files: TerraformFile[] = [
    { path: TERRAFORM_SALES_SCHEMA_PATH.replace(/^terraform\//, ''), content: terraformSalesSchemaJson() },
  ];
  const tables: Record<string, TableEntry> = {};
  for (const t of tableDefs) {
    files.push({ path: `schemas/${t.name}.json`, content: json(t.fields) });
    tables[t.name] = {
      description: t.description,
      partition_field: t.partitionBy ?? null,
      clustering: t.clusterBy ?? [],
    };
  }
  files.push({ path: 'tables.json', content: json(tables) });
  const views: Record<string, ViewEntry> = {};
  for (const [name, entry] of viewEntries(tableDefs, viewDefs)) {
    views[name] = entry;
    files.push({ path: `views/${name}.sql`, content: viewTemplate(viewDefs.find((v) => v.name === name)!) });
  }
  files.push({ path: 'views.json', content: json(views) });
  return files;
}

/** Names a view's query reads, in order of first use. */
function viewReads(view: ViewDef): string[] {
  const reads: string[] = [];
  view.sql('bigquery', (name) => {
    if (!reads.includes(name)) reads.push(name);
    return name;
  });
  return reads;
}

function viewEntries(tableDefs: readonly TableDef[], viewDefs: readonly ViewDef[]): Map<string, ViewEntry> {
  const tableNames = new Set(tableDefs.map((t) => t.name));
  const byName = new Map(viewDefs.map((v) => [v.name as string, v]));
  const entries = new Map<string, ViewEntry>();
  const layerOf = (name: string, path: string[]): number => {
    const known = entries.get(name);
    if (known) return known.layer;
    if (path.includes(name))
      throw new Error(`views.ts: views read each other in a cycle (${[...path, name].join(' → ')})`);
    const view = byName.get(name)!;
    const reads = viewReads(view);
    let layer = 0;
    for (const r of reads) {
      if (byName.has(r)) layer = Math.max(layer, layerOf(r, [...path, name]) + 1);
      else if (!tableNames.has(r))
        throw new Error(`views.ts: view ${name} reads ${r}, which is neither a table in TABLES nor a view in VIEWS`);
    }
    if (layer >= VIEW_LAYERS) {
      throw new Error(
        `views.ts: view ${name} is in layer ${layer} (it reads views that read views); Terraform declares ${VIEW_LAYERS} layers of views (terraform/bigquery.tf): add one there and raise VIEW_LAYERS`,
      );
    }
    entries.set(name, { description: view.description, reads, layer });
    return layer;
  };
  for (const v of viewDefs) layerOf(v.name, []);
  return new Map(viewDefs.map((v) => [v.name as string, entries.get(v.name)!]));
}

/**
 * The BigQuery query of a view as a Terraform template: tables named
 * `${project}.${dataset}.name` exactly as BigQueryWarehouse names them, and any
 * `${` or `%{` of the SQL itself escaped (`$${`, `%%{`) so templatefile leaves it as is.
 */
export function viewTemplate(view: ViewDef): string {
  // Names are put in as markers first, so escaping the SQL cannot touch the placeholders.
  const names = new Set<string>();
  const marker = (name: string) => {
    names.add(name);
    return `\u0000${name}\u0000`;
  };
  // Replacement functions, not strings: in a replacement string `$$` means `$`.
  let sql = view
    .sql('bigquery', marker)
    .replaceAll('${', () => '$${')
    .replaceAll('%{', () => '%%{');
  for (const name of names) {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Terraform template placeholders, not JS ones.
    sql = sql.replaceAll(marker(name), () => bigQueryRef('${project}', '${dataset}', name));
  }
  return sql;
}

export type DriftKind = 'missing' | 'changed' | 'stale';
export interface Drift {
  path: string;
  kind: DriftKind;
}

/** How the files in `dir` differ from the generated ones (empty: in sync). */
export async function terraformDrift(dir: string, files = terraformFiles()): Promise<Drift[]> {
  const drift: Drift[] = [];
  for (const f of files) {
    const full = join(dir, f.path);
    if (!existsSync(full)) drift.push({ path: f.path, kind: 'missing' });
    else if ((await readFile(full, 'utf8')) !== f.content) drift.push({ path: f.path, kind: 'changed' });
  }
  for (const path of await staleFiles(dir, files)) drift.push({ path, kind: 'stale' });
  return drift;
}

async function staleFiles(dir: string, files: TerraformFile[]): Promise<string[]> {
  const generated = new Set(files.map((f) => f.path));
  const stale: string[] = [];
  for (const { folder, extension } of GENERATED_FOLDERS) {
    const names = existsSync(join(dir, folder)) ? await readdir(join(dir, folder)) : [];
    for (const name of names.sort()) {
      const path = `${folder}/${name}`;
      if (name.endsWith(extension) && !generated.has(path)) stale.push(path);
    }
  }
  return stale;
}

export interface WriteSummary {
  written: string[];
  unchanged: string[];
  removed: string[];
}

/** Is `dir` a folder these files were generated into (its tables.json is the generated catalog)? */
export function holdsGeneratedFiles(dir: string): boolean {
  try {
    const tables = JSON.parse(readFileSync(join(dir, 'tables.json'), 'utf8')) as Record<string, unknown>;
    const entries = Object.values(tables);
    return (
      entries.length > 0 &&
      entries.every((e) => typeof e === 'object' && e !== null && 'partition_field' in e && 'clustering' in e)
    );
  } catch {
    return false;
  }
}

/**
 * Write the generated files into `dir` (each atomically) and remove stale ones.
 * Replacing or removing a file needs `dir` to be a generated Terraform folder
 * already: in any other folder a file in the way is refused (exit 2), never
 * overwritten or deleted.
 */
export async function writeTerraformFiles(dir: string, files = terraformFiles()): Promise<WriteSummary> {
  const summary: WriteSummary = { written: [], unchanged: [], removed: [] };
  const drift = new Map((await terraformDrift(dir, files)).map((d) => [d.path, d.kind]));
  const inTheWay = [...drift].filter(([, kind]) => kind !== 'missing').map(([path]) => path);
  if (inTheWay.length > 0 && !holdsGeneratedFiles(dir)) {
    throw new ConflictError(
      `${dir} is not a generated Terraform folder (no tables.json written by this command), and writing there ` +
        `would replace or remove ${inTheWay.join(', ')}: pick the Terraform directory, or an empty folder`,
      { file: dir, step: 'terraform' },
    );
  }
  for (const f of files) {
    if (!drift.has(f.path)) {
      summary.unchanged.push(f.path);
      continue;
    }
    const out = await prepareAtomicOutput(join(dir, f.path), { force: true });
    try {
      await writeFile(out.tmpPath, f.content);
      await out.commit();
    } finally {
      await out.abort();
    }
    summary.written.push(f.path);
  }
  for (const [path, kind] of drift) {
    if (kind !== 'stale') continue;
    await rm(join(dir, path));
    summary.removed.push(path);
  }
  return summary;
}
