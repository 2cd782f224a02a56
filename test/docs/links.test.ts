/**
 * Every relative link in README.md, CONTRIBUTING.md and docs/*.md points at a file
 * that exists and, with a #fragment, at a heading that exists there (GitHub's
 * anchors). The checker is also run on planted broken links, so it cannot pass by
 * finding nothing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The lines of a Markdown text that are not inside fenced code blocks. */
function proseLines(text: string): string[] {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const m = /^\s*(```|~~~)/.exec(line);
    if (m) {
      if (fence === undefined) fence = m[1];
      else if (fence === m[1]) fence = undefined;
      continue;
    }
    if (fence === undefined) out.push(line);
  }
  return out;
}

/** GitHub's anchor for a heading: rendered text, lower case, punctuation dropped, spaces → '-'. */
function githubSlug(heading: string): string {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
}

/** The anchors a Markdown text defines: its headings (repeats get -1, -2 …) and explicit ids. */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of proseLines(text)) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const base = githubSlug(h[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(m[1]);
  }
  return out;
}

/** Inline links `[text](target)` outside code, with their line numbers. */
function linksOf(text: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  const lines = text.split('\n');
  let fence: string | undefined;
  lines.forEach((raw, i) => {
    const m = /^\s*(```|~~~)/.exec(raw);
    if (m) {
      if (fence === undefined) fence = m[1];
      else if (fence === m[1]) fence = undefined;
      return;
    }
    if (fence !== undefined) return;
    const line = raw.replace(/`[^`]*`/g, '');
    for (const l of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) out.push({ target: l[1], line: i + 1 });
  });
  return out;
}

/**
 * Broken relative links among `files` (absolute path → text); other files are read
 * from disk when a link points at them.
 */
function brokenLinks(files: Map<string, string>): string[] {
  const text = (path: string) => files.get(path) ?? readFileSync(path, 'utf8');
  const problems: string[] = [];
  for (const [file, body] of files) {
    for (const { target, line } of linksOf(body)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
      const [path, fragment] = target.split('#', 2);
      const dest = path ? resolve(dirname(file), decodeURIComponent(path)) : file;
      const where = `${relative(ROOT, file)}:${line} → ${target}`;
      if (!files.has(dest) && !existsSync(dest)) {
        problems.push(`${where}: no such file`);
        continue;
      }
      if (fragment !== undefined && dest.endsWith('.md') && !anchorsOf(text(dest)).has(fragment)) {
        problems.push(`${where}: no heading #${fragment} in ${relative(ROOT, dest)}`);
      }
    }
  }
  return problems;
}

function projectDocs(): Map<string, string> {
  const paths = [
    join(ROOT, 'README.md'),
    join(ROOT, 'CONTRIBUTING.md'),
    ...readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => join(ROOT, 'docs', f)),
  ];
  return new Map(paths.map((p) => [p, readFileSync(p, 'utf8')]));
}

describe('documentation links', () => {
  it('README.md, CONTRIBUTING.md and docs/*.md: every relative link and anchor resolves', () => {
    const docs = projectDocs();
    expect(docs.size).toBeGreaterThan(5);
    expect(brokenLinks(docs)).toEqual([]);
  });

  it('the checker reports a missing file, a missing anchor, and accepts what exists', () => {
    const page = join(ROOT, 'docs', 'planted.md');
    const body = [
      '# A page',
      '## Exit codes (`salesflow gen`)',
      '[ok](#exit-codes-salesflow-gen) [ok](gen.md#usage) [ok](../README.md) [web](https://example.com/x)',
      '[gone](nowhere.md) [bad anchor](gen.md#no-such-heading)',
      '```',
      '[inside code](not-checked.md)',
      '```',
    ].join('\n');
    expect(brokenLinks(new Map([[page, body]]))).toEqual([
      'docs/planted.md:4 → nowhere.md: no such file',
      'docs/planted.md:4 → gen.md#no-such-heading: no heading #no-such-heading in docs/gen.md',
    ]);
  });

  it("anchors follow GitHub's rules", () => {
    expect(githubSlug('Benchmark (`npm run bench -- stream`)')).toBe('benchmark-npm-run-bench----stream');
    expect(githubSlug('Dimensions: `salesflow pipeline dims`')).toBe('dimensions-salesflow-pipeline-dims');
    expect(githubSlug('The `gold_sales` view')).toBe('the-gold_sales-view');
  });
});
