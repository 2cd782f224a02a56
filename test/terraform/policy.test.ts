/**
 * terraform/ checked offline: every .tf file parsed with HashiCorp's HCL parser
 * (wasm, from npm) and the deployment policy applied (test/util/terraform/policy.ts).
 * Then each rule is shown to bite: the violation is planted in a copy of the
 * configuration and the check must name it.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the planted texts are HCL, whose templates are ${…}.
import { appendFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../util/cli.ts';
import { blocksOf, type Config, expressions, loadConfig, localsOf } from '../util/terraform/config.ts';
import { checkPolicy } from '../util/terraform/policy.ts';

const TERRAFORM_DIR = join(REPO_ROOT, 'terraform');

describe('terraform/ complies with the deployment policy', () => {
  let config: Config;
  beforeAll(async () => {
    config = await loadConfig(TERRAFORM_DIR);
  });

  it('parses the root module and both provider-free modules', () => {
    expect([...config.modules.keys()].sort()).toEqual(['', 'modules/catalog', 'modules/policy']);
  });

  it('sees what it checks (so a pass is not an empty one)', () => {
    const root = config.modules.get('')!;
    const count = (type: string) => blocksOf(root, 'resource', type).length;
    expect(count('google_storage_bucket')).toBe(1); // for_each over the four buckets
    expect(count('google_bigquery_dataset')).toBe(1); // warehouse and reporting
    expect(count('google_pubsub_topic')).toBe(1); // sales and dead letter
    expect(count('google_pubsub_subscription')).toBe(2);
    expect(count('google_kms_crypto_key')).toBe(1);
    expect(count('google_cloud_run_v2_job')).toBe(1);
    expect(count('google_cloud_run_v2_service')).toBe(1);
    expect(count('google_monitoring_alert_policy')).toBeGreaterThanOrEqual(2);
    const grants = localsOf(config.modules.get('modules/policy')!).get('grants')?.value;
    expect(Array.isArray(grants) && grants.length).toBeGreaterThan(20);
    expect(expressions(root).length).toBeGreaterThan(100);
  });

  it('has no violation', async () => {
    expect(await checkPolicy(config)).toEqual([]);
  });
});

interface Plant {
  name: string;
  file: string;
  /** Text replaced (its first occurrence; it must occur). */
  from?: string;
  to?: string;
  /** Or text appended to the file. */
  append?: string;
  rule: string;
  /** Part of the violation's `where`. */
  where: string;
}

const PLANTS: Plant[] = [
  {
    name: 'a bucket without CMEK',
    file: 'storage.tf',
    from: '  encryption {\n    default_kms_key_name = google_kms_crypto_key.data.id\n  }\n',
    to: '',
    rule: 'cmek',
    where: 'storage.tf: google_storage_bucket.this',
  },
  {
    name: 'a dataset without CMEK',
    file: 'bigquery.tf',
    from: '  default_encryption_configuration {\n    kms_key_name = google_kms_crypto_key.data.id\n  }\n',
    to: '',
    rule: 'cmek',
    where: 'bigquery.tf: google_bigquery_dataset.this',
  },
  {
    name: 'a topic without CMEK',
    file: 'pubsub.tf',
    from: 'kms_key_name               = google_kms_crypto_key.data.id',
    to: '',
    rule: 'cmek',
    where: 'pubsub.tf: google_pubsub_topic.this',
  },
  {
    name: 'a primitive role in the grants',
    file: 'modules/policy/main.tf',
    from: 'role = "roles/pubsub.publisher", principal = "sa:publisher"',
    to: 'role = "roles/editor", principal = "sa:publisher"',
    rule: 'primitive-role',
    where: 'modules/policy/main.tf: locals.grants.role',
  },
  {
    name: 'a primitive role on a resource',
    file: 'iam.tf',
    append:
      '\nresource "google_storage_bucket_iam_member" "extra" {\n  bucket = google_storage_bucket.this["lake"].name\n  role   = "roles/owner"\n  member = "user:someone@example.com"\n}\n',
    rule: 'primitive-role',
    where: 'iam.tf: google_storage_bucket_iam_member.extra.role',
  },
  {
    name: 'a project-level grant other than jobUser',
    file: 'modules/policy/main.tf',
    from: '  grants = [\n',
    to: '  grants = [\n    { scope = "project", target = "project", role = "roles/storage.admin", principal = "sa:batch" },\n',
    rule: 'project-iam',
    where: 'modules/policy/main.tf: locals.grants',
  },
  {
    name: 'a project IAM member with another role',
    file: 'iam.tf',
    from: 'role    = "roles/bigquery.jobUser"',
    to: 'role    = "roles/bigquery.admin"',
    rule: 'project-iam',
    where: 'iam.tf: google_project_iam_member.job_user.role',
  },
  {
    name: 'an authoritative project binding',
    file: 'iam.tf',
    append:
      '\nresource "google_project_iam_binding" "job_users" {\n  project = var.project_id\n  role    = "roles/bigquery.jobUser"\n  members = []\n}\n',
    rule: 'project-iam',
    where: 'iam.tf: google_project_iam_binding.job_users',
  },
  {
    name: 'a dangling resource reference',
    file: 'pubsub.tf',
    from: 'google_kms_crypto_key.data.id',
    to: 'google_kms_crypto_key.missing.id',
    rule: 'reference',
    where: 'pubsub.tf: google_pubsub_topic.this.kms_key_name',
  },
  {
    name: 'an undeclared variable',
    file: 'runtime.tf',
    from: 'var.stream_max_instances',
    to: 'var.stream_max_instance',
    rule: 'reference',
    where: 'runtime.tf: google_cloud_run_v2_service.stream.template.scaling.max_instance_count',
  },
  {
    name: 'an undeclared local',
    file: 'storage.tf',
    from: 'merge(local.labels,',
    to: 'merge(local.label,',
    rule: 'reference',
    where: 'storage.tf: google_storage_bucket.this.labels',
  },
  {
    name: 'an output the module does not have',
    file: 'outputs.tf',
    from: 'module.catalog.looker_links',
    to: 'module.catalog.looker_link',
    rule: 'reference',
    where: 'outputs.tf: output.looker_studio_links.value',
  },
  {
    name: 'an undeclared data source',
    file: 'iam.tf',
    from: 'data.google_bigquery_default_service_account.bq.member',
    to: 'data.google_bigquery_default_service_account.bigquery.member',
    rule: 'reference',
    where: 'iam.tf: locals.principal_members',
  },
  {
    name: 'a variable without description, validation or use',
    file: 'variables.tf',
    append: '\nvariable "orphan" {\n  type = string\n}\n',
    rule: 'variable-description',
    where: 'variables.tf: var.orphan',
  },
  {
    name: 'an unused variable',
    file: 'variables.tf',
    append:
      '\nvariable "orphan" {\n  description = "Nobody reads it."\n  type        = string\n  validation {\n    condition     = var.orphan != ""\n    error_message = "Not empty."\n  }\n}\n',
    rule: 'variable-unused',
    where: 'variables.tf: var.orphan',
  },
  {
    name: 'a root variable without validation',
    file: 'variables.tf',
    append:
      '\nvariable "orphan" {\n  description = "Read below."\n  type        = string\n}\n\noutput "orphan" {\n  description = "Uses it."\n  value       = var.orphan\n}\n',
    rule: 'variable-validation',
    where: 'variables.tf: var.orphan',
  },
  {
    name: 'a module input the module does not declare',
    file: 'main.tf',
    from: '  looker_template_report_id = var.looker_template_report_id\n',
    to: '  looker_template_report_id = var.looker_template_report_id\n  report_color              = "red"\n',
    rule: 'module-input',
    where: 'main.tf: module.catalog.report_color',
  },
  {
    name: 'a bucket without public access prevention',
    file: 'storage.tf',
    from: 'public_access_prevention    = "enforced"',
    to: 'public_access_prevention    = "inherited"',
    rule: 'bucket-access',
    where: 'storage.tf: google_storage_bucket.this',
  },
  {
    name: 'a bucket without uniform access',
    file: 'storage.tf',
    from: 'uniform_bucket_level_access = true',
    to: 'uniform_bucket_level_access = false',
    rule: 'bucket-access',
    where: 'storage.tf: google_storage_bucket.this',
  },
  {
    name: 'a bucket that force-destroys',
    file: 'storage.tf',
    from: 'force_destroy               = false',
    to: 'force_destroy               = true',
    rule: 'force-destroy',
    where: 'storage.tf: google_storage_bucket.this',
  },
  {
    name: 'a bucket that keeps nothing deleted',
    file: 'storage.tf',
    from: '  versioning {\n    enabled = each.value.versioning\n  }\n\n  soft_delete_policy {\n    retention_duration_seconds = module.policy.soft_delete_seconds\n  }\n',
    to: '',
    rule: 'bucket-recovery',
    where: 'storage.tf: google_storage_bucket.this',
  },
  {
    name: 'a dead-letter topic nobody subscribes to',
    file: 'pubsub.tf',
    from: 'topic                      = google_pubsub_topic.this["dead_letter"].id',
    to: 'topic                      = google_pubsub_topic.this["sales"].id',
    rule: 'dead-letter-subscription',
    where: 'pubsub.tf: google_pubsub_subscription.pipeline.dead_letter_policy',
  },
  {
    name: 'a templatefile path that does not exist',
    file: 'modules/catalog/main.tf',
    from: '/views/${name}.sql',
    to: '/view/${name}.sql',
    rule: 'file-path',
    where: 'modules/catalog/main.tf: locals.views',
  },
  {
    name: 'a file path that does not exist',
    file: 'modules/catalog/main.tf',
    from: '/tables.json',
    to: '/table.json',
    rule: 'file-path',
    where: 'modules/catalog/main.tf: locals.table_entries',
  },
  {
    name: 'a resource without the required labels',
    file: 'pubsub.tf',
    from: 'labels                     = local.labels',
    to: 'labels                     = { team = "data" }',
    rule: 'labels',
    where: 'pubsub.tf: google_pubsub_topic.this',
  },
  {
    name: 'a required label dropped from the policy',
    file: 'modules/policy/main.tf',
    from: '    managed-by  = "terraform"\n',
    to: '',
    rule: 'labels',
    where: 'modules/policy: locals.labels',
  },
  {
    name: 'a table without deletion protection',
    file: 'bigquery.tf',
    from: 'deletion_protection = true',
    to: 'deletion_protection = false',
    rule: 'deletion-protection',
    where: 'bigquery.tf: google_bigquery_table.table',
  },
  {
    name: 'a key that can be destroyed',
    file: 'kms.tf',
    from: 'rotation_period = "${var.kms_rotation_days * 86400}s"\n  labels          = local.labels\n\n  lifecycle {\n    prevent_destroy = true',
    to: 'rotation_period = "${var.kms_rotation_days * 86400}s"\n  labels          = local.labels\n\n  lifecycle {\n    prevent_destroy = false',
    rule: 'deletion-protection',
    where: 'kms.tf: google_kms_crypto_key.data',
  },
  {
    name: 'a service account key',
    file: 'iam.tf',
    append:
      '\nresource "google_service_account_key" "batch" {\n  service_account_id = google_service_account.this["batch"].name\n}\n',
    rule: 'sa-key',
    where: 'iam.tf: google_service_account_key.batch',
  },
  {
    name: 'a public member',
    file: 'iam.tf',
    append:
      '\nresource "google_storage_bucket_iam_member" "public" {\n  bucket = google_storage_bucket.this["lake"].name\n  role   = "roles/storage.objectViewer"\n  member = "allUsers"\n}\n',
    rule: 'public-member',
    where: 'iam.tf: google_storage_bucket_iam_member.public.member',
  },
];

describe('each rule bites: a planted violation is named', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it.each(PLANTS)('$name → $rule', async (plant) => {
    const dir = await mkdtemp(join(tmpdir(), 'tf-plant-'));
    dirs.push(dir);
    await cp(TERRAFORM_DIR, dir, { recursive: true });
    const file = join(dir, plant.file);
    if (plant.append !== undefined) await appendFile(file, plant.append);
    else {
      const text = await readFile(file, 'utf8');
      expect(text.includes(plant.from!), `${plant.file} no longer contains the text this case replaces`).toBe(true);
      await writeFile(
        file,
        text.replace(plant.from!, () => plant.to!),
      );
    }
    const violations = await checkPolicy(await loadConfig(dir));
    expect(violations).toContainEqual(
      expect.objectContaining({ rule: plant.rule, where: expect.stringContaining(plant.where) }),
    );
  });
});
