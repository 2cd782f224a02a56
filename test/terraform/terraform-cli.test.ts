/**
 * What the `terraform` binary can check here without a provider (the Google
 * provider cannot be downloaded): formatting of every file, and the two
 * provider-free modules (policy, catalog) initialised, validated, tested
 * (`terraform test`) and applied — the catalog's real templatefile output is
 * compared with the SQL the BigQuery warehouse creates. The root module needs
 * the provider: tests/terraform/policy.test.ts checks it offline instead.
 */
import { cp, mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigQueryRef } from '../../warehouse/bigquery-ref.ts';
import { LOOKER_TABLES, lookerStudioUrl } from '../../warehouse/looker.ts';
import { VIEWS } from '../../warehouse/views.ts';
import { REPO_ROOT } from '../util/cli.ts';
import { runTerraform, terraformVersion } from '../util/terraform/binary.ts';

const TERRAFORM_DIR = join(REPO_ROOT, 'terraform');
const VERSION = terraformVersion();

if (!VERSION) {
  // Visible in the run's output, and the tests below show as skipped: never a silent pass.
  console.warn('terraform is not on PATH: terraform fmt/validate/test/apply checks of terraform/ are SKIPPED');
}

describe.skipIf(!VERSION)(`terraform binary (${VERSION ?? 'absent'})`, () => {
  let copy: string;
  beforeAll(async () => {
    // A copy: init and apply write .terraform/ and state, never into the repository.
    copy = await mkdtemp(join(tmpdir(), 'tf-cli-'));
    await cp(TERRAFORM_DIR, copy, { recursive: true });
  });
  afterAll(async () => {
    if (copy) await rm(copy, { recursive: true, force: true });
  });

  it('every file is formatted (terraform fmt -check -recursive)', () => {
    const fmt = runTerraform(['fmt', '-check', '-recursive', '-no-color'], TERRAFORM_DIR);
    expect(fmt.stdout, `not formatted (run terraform fmt -recursive terraform):\n${fmt.stdout}${fmt.stderr}`).toBe('');
    expect(fmt.code).toBe(0);
  });

  it('fmt -check names a badly formatted file', async () => {
    const file = join(copy, 'apis.tf');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace('project = var.project_id', 'project    =    var.project_id'));
    try {
      const fmt = runTerraform(['fmt', '-check', '-recursive', '-no-color'], copy);
      expect(fmt.code).not.toBe(0);
      expect(fmt.stdout).toContain('apis.tf');
    } finally {
      await writeFile(file, original);
    }
  });

  for (const module of ['modules/policy', 'modules/catalog']) {
    it(`${module}: init, validate and terraform test, offline`, () => {
      const dir = join(copy, module);
      const init = runTerraform(['init', '-backend=false', '-input=false', '-no-color'], dir);
      expect(init.code, init.stdout + init.stderr).toBe(0);
      const validate = runTerraform(['validate', '-no-color'], dir);
      expect(validate.code, validate.stdout + validate.stderr).toBe(0);
      const test = runTerraform(['test', '-no-color'], dir);
      expect(test.code, test.stdout + test.stderr).toBe(0);
      expect(test.stdout).toMatch(/Success! \d+ passed, 0 failed/);
    });
  }

  it('templatefile renders each view to the query the BigQuery warehouse creates', () => {
    const dir = join(copy, 'modules/catalog');
    expect(runTerraform(['init', '-backend=false', '-input=false', '-no-color'], dir).code).toBe(0);
    const vars = [
      '-var=project_id=acme-sales',
      '-var=dataset_id=salesflow',
      '-var=reporting_dataset_id=salesflow_reporting',
      '-var=billing_project_id=acme-sales',
    ];
    const apply = runTerraform(['apply', '-auto-approve', '-input=false', '-no-color', ...vars], dir);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const out = runTerraform(['output', '-json', '-no-color'], dir);
    expect(out.code, out.stderr).toBe(0);
    const outputs = JSON.parse(out.stdout);
    const views = outputs.views.value as Record<string, { query: string }>;
    expect(Object.keys(views).sort()).toEqual(VIEWS.map((v) => v.name).sort());
    for (const view of VIEWS) {
      expect(views[view.name].query).toBe(view.sql('bigquery', (n) => bigQueryRef('acme-sales', 'salesflow', n)));
    }
    // One Looker Studio link per gold table and view, each the very link `salesflow looker` builds.
    const links = outputs.looker_links.value as Record<string, string>;
    expect(Object.keys(links).sort()).toEqual([...LOOKER_TABLES].sort());
    for (const table of LOOKER_TABLES) {
      expect(links[table], table).toBe(
        lookerStudioUrl({ projectId: 'acme-sales', datasetId: 'salesflow_reporting', tableId: table }),
      );
    }
    expect(new URL(links.gold_sales_per_minute).searchParams.get('ds.ds0.type')).toBe('TABLE');
  });
});
