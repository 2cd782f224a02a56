import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bigQueryRef } from '../../warehouse/bigquery-ref.ts';
import { TABLES } from '../../warehouse/tables.ts';
import {
  TERRAFORM_GENERATE_COMMAND,
  terraformDrift,
  terraformFiles,
  VIEW_LAYERS,
  viewTemplate,
  writeTerraformFiles,
} from '../../warehouse/terraform-files.ts';
import { createViewSql, type ViewDef, type ViewName, VIEWS } from '../../warehouse/views.ts';
import { REPO_ROOT, runSalesflow } from '../util/cli.ts';
import { renderTemplate } from '../util/terraform/template.ts';

const TERRAFORM_DIR = join(REPO_ROOT, 'terraform');

describe('generated Terraform files', () => {
  it('the committed files are what the code generates', async () => {
    const drift = await terraformDrift(TERRAFORM_DIR);
    expect(
      drift,
      `terraform/ drifted from warehouse/tables.ts and views.ts: run ${TERRAFORM_GENERATE_COMMAND}`,
    ).toEqual([]);
  });

  it('every table has its schema file and entry, with the warehouse partitioning and clustering', async () => {
    const tables = JSON.parse(await readFile(join(TERRAFORM_DIR, 'tables.json'), 'utf8'));
    expect(Object.keys(tables)).toEqual(TABLES.map((t) => t.name));
    for (const t of TABLES) {
      expect(JSON.parse(await readFile(join(TERRAFORM_DIR, 'schemas', `${t.name}.json`), 'utf8'))).toEqual(t.fields);
      expect(tables[t.name]).toEqual({
        description: t.description,
        partition_field: t.partitionBy ?? null,
        clustering: t.clusterBy ?? [],
      });
    }
  });

  it('each view template renders to the query the BigQuery warehouse creates', async () => {
    const ref = (name: string) => bigQueryRef('acme-sales', 'salesflow', name);
    for (const view of VIEWS) {
      const template = await readFile(join(TERRAFORM_DIR, 'views', `${view.name}.sql`), 'utf8');
      const rendered = renderTemplate(template, { project: 'acme-sales', dataset: 'salesflow' });
      expect(rendered).toBe(view.sql('bigquery', ref));
      expect(createViewSql('bigquery', view, ref).endsWith(` AS\n${rendered}`)).toBe(true);
    }
  });

  it('escapes what templatefile would interpret in a view query', () => {
    const view: ViewDef = {
      name: 'gold_odd' as ViewName,
      description: 'odd literals',
      sql: (_d, ref) => `SELECT '\${not_a_var}' AS a, '%{if}' AS b, '$' AS c FROM ${ref('silver_sales')}`,
    };
    const template = viewTemplate(view);
    expect(template).toContain("'$${not_a_var}'");
    expect(renderTemplate(template, { project: 'p', dataset: 'd' })).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the SQL literal under test.
      "SELECT '${not_a_var}' AS a, '%{if}' AS b, '$' AS c FROM `p.d.silver_sales`",
    );
  });

  it('puts a view that reads a view in the next layer, and refuses what Terraform cannot create', () => {
    const view = (name: string, reads: string): ViewDef => ({
      name: name as ViewName,
      description: name,
      sql: (_d, ref) => `SELECT * FROM ${ref(reads)}`,
    });
    const files = terraformFiles(TABLES, [view('gold_a', 'silver_sales'), view('gold_b', 'gold_a')]);
    const views = JSON.parse(files.find((f) => f.path === 'views.json')!.content);
    expect(views.gold_a).toMatchObject({ layer: 0, reads: ['silver_sales'] });
    expect(views.gold_b).toMatchObject({ layer: 1, reads: ['gold_a'] });
    expect(VIEW_LAYERS).toBe(2);
    expect(() =>
      terraformFiles(TABLES, [view('gold_a', 'silver_sales'), view('gold_b', 'gold_a'), view('gold_c', 'gold_b')]),
    ).toThrow(/gold_c is in layer 2 .*terraform\/bigquery\.tf/);
    expect(() => terraformFiles(TABLES, [view('gold_a', 'no_such_table')])).toThrow(/gold_a reads no_such_table/);
  });
});

describe('drift is found and fixed', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('names a changed schema, a missing view and a stale file, and the command to regenerate', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tf-drift-'));
    await cp(TERRAFORM_DIR, dir, { recursive: true });
    const schema = join(dir, 'schemas', 'silver_sales.json');
    await writeFile(schema, (await readFile(schema, 'utf8')).replace('"NULLABLE"', '"REQUIRED"'));
    await rm(join(dir, 'views', 'gold_daily_sales.sql'));
    await writeFile(join(dir, 'views', 'gold_retired.sql'), 'SELECT 1');

    expect(await terraformDrift(dir)).toEqual([
      { path: 'schemas/silver_sales.json', kind: 'changed' },
      { path: 'views/gold_daily_sales.sql', kind: 'missing' },
      { path: 'views/gold_retired.sql', kind: 'stale' },
    ]);
    const check = await runSalesflow(['schema', '-f', 'terraform', '-o', dir, '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('changed: schemas/silver_sales.json');
    expect(check.stderr).toContain(`run ${TERRAFORM_GENERATE_COMMAND}`);

    const summary = await writeTerraformFiles(dir);
    expect(summary.written.sort()).toEqual(['schemas/silver_sales.json', 'views/gold_daily_sales.sql']);
    expect(summary.removed).toEqual(['views/gold_retired.sql']);
    expect(await terraformDrift(dir)).toEqual([]);
    const again = await runSalesflow(['schema', '-f', 'terraform', '-o', dir, '--check']);
    expect(again.code).toBe(0);
  });

  it('never replaces or removes files in a folder it did not generate (exit 2); adds to an empty one', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tf-foreign-'));
    dir = root;
    const mine = join(root, 'not-terraform');
    await mkdir(join(mine, 'schemas'), { recursive: true });
    await writeFile(join(mine, 'schemas', 'mine.json'), '{"my": "schema"}');
    await writeFile(join(mine, 'tables.json'), '{"chairs": 4}');
    await expect(writeTerraformFiles(mine)).rejects.toThrow(/not a generated Terraform folder.*tables\.json/);
    const res = await runSalesflow(['schema', '-f', 'terraform', '-o', mine]);
    expect(res.code).toBe(2);
    expect(await readFile(join(mine, 'schemas', 'mine.json'), 'utf8')).toBe('{"my": "schema"}');
    expect(await readFile(join(mine, 'tables.json'), 'utf8')).toBe('{"chairs": 4}');
    const empty = join(root, 'empty-terraform');
    await mkdir(empty);
    expect((await writeTerraformFiles(empty)).removed).toEqual([]);
    expect(await terraformDrift(empty)).toEqual([]);
  });

  it('refuses --out without -f terraform', async () => {
    const res = await runSalesflow(['schema', '-f', 'bigquery', '-o', '/tmp/x']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--out needs -f terraform');
  });
});
