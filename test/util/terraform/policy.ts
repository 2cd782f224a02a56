/**
 * The deployment's policy, checked on the parsed configuration (config.ts): every
 * reference resolves, variables are declared, described and used, data at rest is
 * encrypted with the deployment's key, buckets are private, nothing stateful is
 * one `destroy` away from loss, IAM is narrow, dead letters are kept, and every
 * file Terraform reads exists. Each violation names its rule, file and address.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import {
  type Block,
  blocksOf,
  type Config,
  expressions,
  type Json,
  type JsonObject,
  localsOf,
  type Module,
  nested,
  referencesIn,
} from './config.ts';

export interface Violation {
  rule: string;
  /** `file: address[.path]` */
  where: string;
  message: string;
}

export const REQUIRED_LABELS = ['app', 'environment', 'managed-by'];
const PRIMITIVE_ROLES = new Set(['roles/owner', 'roles/editor', 'roles/viewer', 'OWNER']);
const PROJECT_ROLES = new Set(['roles/bigquery.jobUser']);
const PUBLIC_MEMBERS = /\ballUsers\b|\ballAuthenticatedUsers\b/;

/** Where each type keeps its customer-managed key. */
const CMEK_ATTRIBUTE: Record<string, string[]> = {
  google_storage_bucket: ['encryption', 'default_kms_key_name'],
  google_bigquery_dataset: ['default_encryption_configuration', 'kms_key_name'],
  google_pubsub_topic: ['kms_key_name'],
  google_artifact_registry_repository: ['kms_key_name'],
};

/** Types that carry labels, and the attribute they use. */
const LABELS_ATTRIBUTE: Record<string, string> = {
  google_storage_bucket: 'labels',
  google_bigquery_dataset: 'labels',
  google_bigquery_table: 'labels',
  google_pubsub_topic: 'labels',
  google_pubsub_subscription: 'labels',
  google_kms_crypto_key: 'labels',
  google_artifact_registry_repository: 'labels',
  google_cloud_run_v2_job: 'labels',
  google_cloud_run_v2_service: 'labels',
  google_monitoring_alert_policy: 'user_labels',
};

const BUILTIN_ROOTS = new Set(['each', 'count', 'self', 'path', 'terraform']);
const MODULE_META = new Set(['source', 'version', 'providers', 'depends_on', 'count', 'for_each']);

const where = (b: Block, path?: string) => `${b.file}: ${b.address}${path ? `.${path}` : ''}`;

function attribute(body: JsonObject, path: string[]): Json | undefined {
  let cur: JsonObject | undefined = body;
  for (let i = 0; i < path.length - 1; i++) cur = cur ? nested(cur, path[i]) : undefined;
  return cur?.[path[path.length - 1]];
}

function childModuleDir(parent: Module, block: Block): string | undefined {
  const source = block.body.source;
  if (typeof source !== 'string' || !(source.startsWith('./') || source.startsWith('../'))) return undefined;
  return posix.normalize(posix.join(parent.dir || '.', source)).replace(/^\.$/, '');
}

/** Check the whole configuration; an empty list means it complies. */
export async function checkPolicy(config: Config): Promise<Violation[]> {
  const out: Violation[] = [];
  for (const mod of config.modules.values()) {
    out.push(...(await checkReferences(config, mod)));
    out.push(...checkVariablesAndOutputs(mod));
    out.push(...checkModuleCalls(config, mod));
    out.push(...checkResources(mod));
    out.push(...checkFilePaths(config, mod));
  }
  out.push(...checkGrants(config));
  out.push(...(await checkDeadLetters(config)));
  out.push(...(await checkLabels(config)));
  return out;
}

async function checkReferences(config: Config, mod: Module): Promise<Violation[]> {
  const out: Violation[] = [];
  const declared = new Set(mod.blocks.map((b) => b.address));
  const locals = localsOf(mod);
  for (const e of expressions(mod)) {
    for (const ref of await referencesIn(e.text)) {
      const parts = ref.split('.');
      const [root, name] = parts;
      let problem: string | undefined;
      if (BUILTIN_ROOTS.has(root) || e.iterators.includes(root)) continue;
      if (root === 'var') problem = declared.has(`var.${name}`) ? undefined : `variable "${name}" is not declared`;
      else if (root === 'local') problem = locals.has(name) ? undefined : `local "${name}" is not declared`;
      else if (root === 'data')
        problem = declared.has(`data.${name}.${parts[2]}`) ? undefined : `data "${name}" "${parts[2]}" is not declared`;
      else if (root === 'module') {
        const call = mod.blocks.find((b) => b.address === `module.${name}`);
        if (!call) problem = `module "${name}" is not declared`;
        else if (parts[2] !== undefined) {
          const child = config.modules.get(childModuleDir(mod, call) ?? '\u0000');
          if (child && !child.blocks.some((b) => b.address === `output.${parts[2]}`))
            problem = `module "${name}" has no output "${parts[2]}"`;
        }
      } else if (name === undefined) problem = `"${root}" is not a reference Terraform knows`;
      else if (!declared.has(`${root}.${name}`)) problem = `resource "${root}" "${name}" is not declared`;
      if (problem) {
        out.push({ rule: 'reference', where: where(e.block, e.path), message: `${ref}: ${problem}` });
      }
    }
  }
  return out;
}

function checkVariablesAndOutputs(mod: Module): Violation[] {
  const out: Violation[] = [];
  const used = new Set<string>();
  for (const e of expressions(mod)) {
    for (const m of e.text.matchAll(/\bvar\.([A-Za-z0-9_-]+)/g)) {
      // A variable's own validation does not count as a use.
      if (!(e.block.kind === 'variable' && e.block.name === m[1])) used.add(m[1]);
    }
  }
  for (const v of blocksOf(mod, 'variable')) {
    if (typeof v.body.description !== 'string' || v.body.description.trim() === '')
      out.push({ rule: 'variable-description', where: where(v), message: 'every variable needs a description' });
    if (!used.has(v.name)) out.push({ rule: 'variable-unused', where: where(v), message: 'declared but never used' });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: HCL2JSON writes a type as an expression.
    const isBool = v.body.type === '${bool}';
    if (mod.dir === '' && !isBool && !Array.isArray(v.body.validation))
      out.push({
        rule: 'variable-validation',
        where: where(v),
        message: 'a root variable (other than a bool) needs a validation block',
      });
  }
  for (const o of blocksOf(mod, 'output')) {
    if (typeof o.body.description !== 'string' || o.body.description.trim() === '')
      out.push({ rule: 'output-description', where: where(o), message: 'every output needs a description' });
  }
  return out;
}

function checkModuleCalls(config: Config, mod: Module): Violation[] {
  const out: Violation[] = [];
  for (const call of blocksOf(mod, 'module')) {
    const dir = childModuleDir(mod, call);
    if (dir === undefined) continue;
    const child = config.modules.get(dir);
    if (!child) {
      out.push({ rule: 'reference', where: where(call, 'source'), message: `no module in ${dir}` });
      continue;
    }
    const inputs = new Map(blocksOf(child, 'variable').map((v) => [v.name, v]));
    for (const arg of Object.keys(call.body)) {
      if (!MODULE_META.has(arg) && !inputs.has(arg))
        out.push({ rule: 'module-input', where: where(call, arg), message: `${dir} has no variable "${arg}"` });
    }
    for (const [name, v] of inputs) {
      if (!('default' in v.body) && !(name in call.body))
        out.push({
          rule: 'module-input',
          where: where(call),
          message: `required variable "${name}" of ${dir} is not set`,
        });
    }
  }
  return out;
}

function checkResources(mod: Module): Violation[] {
  const out: Violation[] = [];
  for (const r of blocksOf(mod, 'resource')) {
    const b = r.body;
    const cmek = CMEK_ATTRIBUTE[r.type];
    if (cmek) {
      const key = attribute(b, cmek);
      if (typeof key !== 'string' || !/\bgoogle_kms_crypto_key\./.test(key))
        out.push({
          rule: 'cmek',
          where: where(r),
          message: `no customer-managed key: ${cmek.join('.')} must name a google_kms_crypto_key`,
        });
    }
    if (r.type === 'google_storage_bucket') {
      if (b.uniform_bucket_level_access !== true)
        out.push({ rule: 'bucket-access', where: where(r), message: 'uniform_bucket_level_access must be true' });
      if (b.public_access_prevention !== 'enforced')
        out.push({ rule: 'bucket-access', where: where(r), message: 'public_access_prevention must be "enforced"' });
      if (b.force_destroy !== undefined && b.force_destroy !== false)
        out.push({ rule: 'force-destroy', where: where(r), message: 'force_destroy must be absent or false' });
      const versioning = nested(b, 'versioning')?.enabled;
      const softDelete = nested(b, 'soft_delete_policy')?.retention_duration_seconds;
      if (versioning === undefined && (softDelete === undefined || softDelete === 0))
        out.push({
          rule: 'bucket-recovery',
          where: where(r),
          message: 'deleted objects must stay recoverable: versioning or a soft_delete_policy',
        });
      if (!('lifecycle_rule' in b) && !('lifecycle_rule' in (nested(b, 'dynamic') ?? {})))
        out.push({ rule: 'bucket-lifecycle', where: where(r), message: 'a bucket needs lifecycle rules' });
    }
    const protectedBy: Record<string, [string, Json]> = {
      google_bigquery_table: ['deletion_protection', true],
      google_cloud_run_v2_job: ['deletion_protection', true],
      google_cloud_run_v2_service: ['deletion_protection', true],
      google_storage_bucket: ['deletion_policy', 'PREVENT'],
      google_bigquery_dataset: ['deletion_policy', 'PREVENT'],
    };
    const protection = protectedBy[r.type];
    if (protection && b[protection[0]] !== protection[1])
      out.push({
        rule: 'deletion-protection',
        where: where(r),
        message: `${protection[0]} must be ${JSON.stringify(protection[1])}`,
      });
    if (r.type === 'google_bigquery_dataset' && b.delete_contents_on_destroy === true)
      out.push({
        rule: 'deletion-protection',
        where: where(r),
        message: 'delete_contents_on_destroy must not be true',
      });
    if (
      (r.type === 'google_kms_crypto_key' || r.type === 'google_kms_key_ring') &&
      nested(b, 'lifecycle')?.prevent_destroy !== true
    )
      out.push({ rule: 'deletion-protection', where: where(r), message: 'lifecycle.prevent_destroy must be true' });
    if (r.type === 'google_kms_crypto_key' && typeof b.rotation_period !== 'string')
      out.push({ rule: 'kms-rotation', where: where(r), message: 'the key needs a rotation_period' });
    if (
      /^google_(project|folder|organization)_iam_(binding|policy|audit_config)$/.test(r.type) ||
      /^google_(folder|organization)_iam_member$/.test(r.type)
    )
      out.push({
        rule: 'project-iam',
        where: where(r),
        message: `${r.type}: no authoritative or folder/organization-wide IAM`,
      });
    if (r.type === 'google_project_iam_member' && !PROJECT_ROLES.has(String(b.role)))
      out.push({
        rule: 'project-iam',
        where: where(r, 'role'),
        message: `project-level IAM only for ${[...PROJECT_ROLES].join(', ')} (a literal role), not ${String(b.role)}`,
      });
    if (r.type === 'google_service_account_key' || r.type === 'google_storage_hmac_key')
      out.push({ rule: 'sa-key', where: where(r), message: 'no keys: impersonate the service account instead' });
  }
  // Roles and members anywhere: IAM resources, dataset access entries and the policy's grant data.
  const scan = (block: Block, value: Json, path: string) => {
    if (Array.isArray(value)) {
      for (const v of value) scan(block, v, path);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const here = path ? `${path}.${k}` : k;
        if (k === 'role' && typeof v === 'string' && PRIMITIVE_ROLES.has(v))
          out.push({ rule: 'primitive-role', where: where(block, here), message: `${v}: never a primitive role` });
        if (
          (k === 'member' || k === 'members' || k === 'iam_member' || k === 'special_group') &&
          PUBLIC_MEMBERS.test(JSON.stringify(v))
        )
          out.push({
            rule: 'public-member',
            where: where(block, here),
            message: 'never allUsers or allAuthenticatedUsers',
          });
        scan(block, v, here);
      }
    }
  };
  for (const block of mod.blocks) scan(block, block.body, '');
  return out;
}

/** Grant data (objects with scope and role, as modules/policy lists them): project scope is for jobUser only. */
function checkGrants(config: Config): Violation[] {
  const out: Violation[] = [];
  for (const mod of config.modules.values()) {
    for (const [name, { block, value }] of localsOf(mod)) {
      if (!Array.isArray(value)) continue;
      for (const g of value) {
        if (!g || typeof g !== 'object' || Array.isArray(g) || !('scope' in g) || !('role' in g)) continue;
        if (g.scope === 'project' && !PROJECT_ROLES.has(String(g.role)))
          out.push({
            rule: 'project-iam',
            where: where(block, name),
            message: `grant ${String(g.role)} to ${String(g.principal)} on the project: project scope is for ${[...PROJECT_ROLES].join(', ')} only`,
          });
      }
    }
  }
  return out;
}

/** `google_pubsub_topic.this."sales".id` → `google_pubsub_topic.this."sales"` (the instance, key included). */
function resourceInstance(ref: string): string {
  const parts = ref.split('.');
  return parts.slice(0, parts[2]?.startsWith('"') ? 3 : 2).join('.');
}

async function checkDeadLetters(config: Config): Promise<Violation[]> {
  const out: Violation[] = [];
  for (const mod of config.modules.values()) {
    const subscriptions = blocksOf(mod, 'resource', 'google_pubsub_subscription');
    const subscribed = new Set<string>();
    for (const s of subscriptions) {
      const topic = s.body.topic;
      if (typeof topic === 'string') for (const ref of await referencesIn(topic)) subscribed.add(resourceInstance(ref));
    }
    for (const s of subscriptions) {
      const dlq = nested(s.body, 'dead_letter_policy')?.dead_letter_topic;
      if (typeof dlq !== 'string') continue;
      for (const ref of await referencesIn(dlq)) {
        const topic = resourceInstance(ref);
        if (!subscribed.has(topic))
          out.push({
            rule: 'dead-letter-subscription',
            where: where(s, 'dead_letter_policy'),
            message: `dead-letter topic ${topic} has no subscription: dead letters would be dropped`,
          });
      }
    }
  }
  return out;
}

/** Labelled resources take the root's local.labels, which is the policy module's labels with the required keys. */
async function checkLabels(config: Config): Promise<Violation[]> {
  const out: Violation[] = [];
  const root = config.modules.get('');
  if (!root) return out;
  for (const r of blocksOf(root, 'resource')) {
    const attr = LABELS_ATTRIBUTE[r.type];
    if (!attr) continue;
    const value = r.body[attr];
    const refs = typeof value === 'string' ? await referencesIn(value) : [];
    if (!refs.includes('local.labels'))
      out.push({ rule: 'labels', where: where(r), message: `${attr} must include local.labels (the required labels)` });
  }
  const labels = localsOf(root).get('labels');
  const source = typeof labels?.value === 'string' ? await referencesIn(labels.value) : [];
  const policyRef = source.find((ref) => /^module\.[^.]+\.labels$/.test(ref));
  if (!policyRef) {
    out.push({
      rule: 'labels',
      where: 'main.tf: locals.labels',
      message: "local.labels must be the policy module's labels output",
    });
    return out;
  }
  const call = blocksOf(root, 'module').find((b) => b.address === policyRef.split('.').slice(0, 2).join('.'));
  const policy = call ? config.modules.get(childModuleDir(root, call) ?? '\u0000') : undefined;
  const value = policy ? localsOf(policy).get('labels')?.value : undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  for (const key of REQUIRED_LABELS) {
    if (!new RegExp(`(^|[{,\\s"])${escapeRegExp(key)}"?\\s*[=:]`).test(text))
      out.push({
        rule: 'labels',
        where: `${policy?.dir ?? '?'}: locals.labels`,
        message: `required label "${key}" is not set`,
      });
  }
  return out;
}

const FILE_CALL = /\b(file|templatefile|filebase64|filesha256)\(\s*"([^"]*)"/g;

/** Every path a file function reads exists; interpolations other than path.module and string locals match any name. */
function checkFilePaths(config: Config, mod: Module): Violation[] {
  const out: Violation[] = [];
  const locals = localsOf(mod);
  const resolve = (text: string, depth = 0): string =>
    text.replace(/\$\{([^}]*)\}/g, (_m, inner: string) => {
      const e = inner.trim();
      if (e === 'path.module') return mod.dir || '.';
      const local = /^local\.([A-Za-z0-9_-]+)$/.exec(e);
      const value = local ? locals.get(local[1])?.value : undefined;
      if (typeof value === 'string' && depth < 5) return resolve(value, depth + 1);
      return '\u0001';
    });
  for (const e of expressions(mod)) {
    for (const m of e.text.matchAll(FILE_CALL)) {
      const path = posix.normalize(resolve(m[2]));
      if (!matchesAFile(config.root, path))
        out.push({
          rule: 'file-path',
          where: where(e.block, e.path),
          message: `${m[1]}("${m[2]}"): no file ${path.replaceAll('\u0001', '*')}`,
        });
    }
  }
  return out;
}

function matchesAFile(root: string, path: string): boolean {
  if (!path.includes('\u0001')) return existsSync(join(root, path));
  const slash = path.lastIndexOf('/');
  const dir = slash === -1 ? '.' : path.slice(0, slash);
  if (dir.includes('\u0001') || !existsSync(join(root, dir))) return false;
  const pattern = new RegExp(
    `^${path
      .slice(slash + 1)
      .split('\u0001')
      .map(escapeRegExp)
      .join('.+')}$`,
  );
  return readdirSync(join(root, dir)).some((name) => pattern.test(name));
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
