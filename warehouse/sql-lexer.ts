/**
 * A small SQL lexer: enough to find named parameters, identifiers and statement
 * boundaries without touching string literals or comments. Concatenating the
 * token texts gives back the input exactly.
 */

export type TokenKind =
  | 'space'
  | 'comment'
  | 'string' // '…' or "…" in BigQuery; '…' in DuckDB
  | 'backtick' // `…` (BigQuery quoted identifier / path)
  | 'param' // @name
  | 'word' // identifiers and keywords
  | 'number'
  | 'punct';

export interface Token {
  kind: TokenKind;
  text: string;
}

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  const push = (kind: TokenKind, end: number) => {
    out.push({ kind, text: sql.slice(i, end) });
    i = end;
  };
  while (i < n) {
    const c = sql[i];
    if (/\s/.test(c)) {
      let j = i + 1;
      while (j < n && /\s/.test(sql[j])) j++;
      push('space', j);
    } else if (c === '-' && sql[i + 1] === '-') {
      const j = sql.indexOf('\n', i);
      push('comment', j === -1 ? n : j);
    } else if (c === '#') {
      // BigQuery also accepts # comments.
      const j = sql.indexOf('\n', i);
      push('comment', j === -1 ? n : j);
    } else if (c === '/' && sql[i + 1] === '*') {
      const j = sql.indexOf('*/', i + 2);
      push('comment', j === -1 ? n : j + 2);
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < n && sql[j] !== c) j += sql[j] === '\\' && c !== '`' ? 2 : 1;
      push(c === '`' ? 'backtick' : 'string', Math.min(n, j + 1));
    } else if (c === '@' && /[A-Za-z_]/.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (j < n && /\w/.test(sql[j])) j++;
      push('param', j);
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$]/.test(sql[j])) j++;
      push('word', j);
    } else if (/\d/.test(c)) {
      let j = i + 1;
      while (j < n && /[\d.eE]/.test(sql[j])) j++;
      push('number', j);
    } else {
      push('punct', i + 1);
    }
  }
  return out;
}

/** Names of the @params a statement uses, in order of first use. */
export function paramNames(sql: string): string[] {
  const names: string[] = [];
  for (const t of tokenize(sql)) {
    if (t.kind === 'param' && !names.includes(t.text.slice(1))) names.push(t.text.slice(1));
  }
  return names;
}

/** Replace every @name with `replace(name)`, leaving strings and comments alone. */
export function rewriteParams(sql: string, replace: (name: string) => string): string {
  return tokenize(sql)
    .map((t) => (t.kind === 'param' ? replace(t.text.slice(1)) : t.text))
    .join('');
}

/** The first keyword of the SQL (`SELECT`, `PRAGMA`…), past comments, spaces and stray semicolons; '' if none. */
export function firstKeyword(sql: string): string {
  for (const t of tokenize(sql)) {
    if (t.kind === 'word') return t.text;
    if (t.kind !== 'space' && t.kind !== 'comment' && t.text !== ';' && t.text !== '(') return '';
  }
  return '';
}
