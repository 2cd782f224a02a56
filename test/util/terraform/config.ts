/**
 * A Terraform configuration read offline: every `.tf` file under a directory,
 * parsed with HashiCorp's HCL parser (compiled to wasm in @cdktn/hcl2json), grouped
 * by module directory, with each block's expressions and the references in them.
 * No provider is needed, so the policy can be checked where `terraform init`
 * cannot download one.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { getReferencesInExpression, parse } from '@cdktn/hcl2json';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One block: `resource "google_storage_bucket" "this"`, `variable "region"`, `locals`, … */
export interface Block {
  kind: 'resource' | 'data' | 'variable' | 'output' | 'module' | 'locals' | 'provider' | 'terraform';
  /** Where it is named in messages: `google_storage_bucket.this`, `var.region`, `module.policy`, … */
  address: string;
  /** Resource or data type (`google_storage_bucket`), else ''. */
  type: string;
  name: string;
  /** `.tf` file, relative to the configuration's root, `/`-separated. */
  file: string;
  body: JsonObject;
}

export interface Module {
  /** Relative to the root, `/`-separated; '' for the root module. */
  dir: string;
  blocks: Block[];
}

export interface Config {
  root: string;
  modules: Map<string, Module>;
}

const parseCache = new Map<string, Promise<JsonObject>>();

async function parseFile(file: string, text: string): Promise<JsonObject> {
  const key = `${file}\u0000${text}`;
  let parsed = parseCache.get(key);
  if (!parsed) {
    parsed = parse(file, text) as Promise<JsonObject>;
    parseCache.set(key, parsed);
  }
  return parsed;
}

async function tfFiles(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await tfFiles(root, full)));
    else if (entry.name.endsWith('.tf')) out.push(relative(root, full).split(sep).join('/'));
  }
  return out.sort();
}

const asObject = (v: Json | undefined): JsonObject => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
const asArray = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);

/** Every `.tf` file under `root`, parsed (a syntax error names its file and line). */
export async function loadConfig(root: string): Promise<Config> {
  const modules = new Map<string, Module>();
  for (const file of await tfFiles(root)) {
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
    const json = await parseFile(file, await readFile(join(root, file), 'utf8'));
    let mod = modules.get(dir);
    if (!mod) {
      mod = { dir, blocks: [] };
      modules.set(dir, mod);
    }
    const add = (kind: Block['kind'], address: string, type: string, name: string, body: Json) => {
      for (const b of asArray(body)) mod.blocks.push({ kind, address, type, name, file, body: asObject(b) });
    };
    for (const [kind, value] of Object.entries(json)) {
      if (kind === 'resource' || kind === 'data') {
        for (const [type, named] of Object.entries(asObject(value))) {
          for (const [name, body] of Object.entries(asObject(named))) {
            add(kind, `${kind === 'data' ? 'data.' : ''}${type}.${name}`, type, name, body);
          }
        }
      } else if (kind === 'variable' || kind === 'output' || kind === 'module' || kind === 'provider') {
        const prefix = { variable: 'var.', output: 'output.', module: 'module.', provider: 'provider.' }[kind];
        for (const [name, body] of Object.entries(asObject(value))) add(kind, `${prefix}${name}`, '', name, body);
      } else if (kind === 'locals' || kind === 'terraform') {
        add(kind, kind, '', '', value);
      }
    }
  }
  return { root, modules };
}

/** One expression (an HCL value holding `${…}`) and where it sits. */
export interface Expression {
  block: Block;
  /** Attribute path inside the block, e.g. `encryption.default_kms_key_name`. */
  path: string;
  text: string;
  /** Names local to the expression's context (dynamic block iterators). */
  iterators: string[];
}

/** Attributes whose value names things rather than being an expression to resolve. */
function notAnExpression(block: Block, path: string, key: string): boolean {
  if (key === 'provider' || key === 'providers' || key === 'ignore_changes') return true;
  if (path !== '') return false;
  return (block.kind === 'variable' && key === 'type') || (block.kind === 'module' && key === 'source');
}

/** Every expression in a module, with dynamic-block iterators in scope where they apply. */
export function expressions(mod: Module): Expression[] {
  const out: Expression[] = [];
  const walk = (block: Block, value: Json, path: string, iterators: string[]) => {
    if (typeof value === 'string') {
      if (value.includes('${')) out.push({ block, path, text: value, iterators });
      return;
    }
    if (Array.isArray(value)) {
      for (const v of value) walk(block, v, path, iterators);
      return;
    }
    if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        if (notAnExpression(block, path, key)) continue;
        const here = path ? `${path}.${key}` : key;
        if (key === 'dynamic') {
          for (const [label, dyn] of Object.entries(asObject(v))) {
            for (const d of asArray(dyn)) {
              const spec = asObject(d);
              const iterator = typeof spec.iterator === 'string' ? spec.iterator : label;
              walk(block, spec.for_each ?? null, `${here}.${label}.for_each`, iterators);
              walk(block, spec.content ?? null, `${here}.${label}.content`, [...iterators, iterator]);
            }
          }
          continue;
        }
        walk(block, v, here, iterators);
      }
    }
  };
  for (const block of mod.blocks) walk(block, block.body, '', []);
  return out;
}

const referenceCache = new Map<string, Promise<string[]>>();

/**
 * An HCL2JSON string value back as an HCL quoted template: the literal parts
 * escaped, the `${…}` parts (which may hold quoted strings of their own) kept as they are.
 */
function quoteTemplate(text: string): string {
  let out = '"';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (depth === 0) {
      if (c === '$' && text[i + 1] === '{') {
        out += '${';
        depth = 1;
        i++;
      } else out += c === '"' ? '\\"' : c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') depth--;
    out += c;
  }
  return `${out}"`;
}

/** The references (`var.x`, `google_storage_bucket.this.name`, …) in one expression. */
export function referencesIn(text: string): Promise<string[]> {
  let refs = referenceCache.get(text);
  if (!refs) {
    refs = getReferencesInExpression('expression.tf', quoteTemplate(text)).then((found) => found.map((r) => r.value));
    referenceCache.set(text, refs);
  }
  return refs;
}

/** Blocks of one kind (and type) in a module. */
export function blocksOf(mod: Module, kind: Block['kind'], type?: string): Block[] {
  return mod.blocks.filter((b) => b.kind === kind && (type === undefined || b.type === type));
}

/** The first nested block `name` of a body (HCL JSON writes blocks as arrays of objects). */
export function nested(body: JsonObject, name: string): JsonObject | undefined {
  const v = body[name];
  if (Array.isArray(v)) return v.length > 0 ? asObject(v[0]) : undefined;
  return v && typeof v === 'object' ? v : undefined;
}

/** Every local value of a module by name. */
export function localsOf(mod: Module): Map<string, { block: Block; value: Json }> {
  const out = new Map<string, { block: Block; value: Json }>();
  for (const b of blocksOf(mod, 'locals'))
    for (const [name, value] of Object.entries(b.body)) out.set(name, { block: b, value });
  return out;
}
