/**
 * How many statements a SQL text holds, as DuckDB's grammar splits it. DuckDB's
 * own count (extractStatements) is not that: for a PIVOT without IN (…) values
 * it adds a CREATE TEMP TYPE … AS ENUM per pivot column before the query, so
 * one PIVOT counts as two or more. The split follows DuckDB's scanner (the
 * PostgreSQL one, standard strings): a `;` ends a statement unless it is inside
 * '…' (a backslash is plain text), E'…' (a backslash escapes), "…", $tag$…$tag$,
 * a -- comment or a nested /* *\/ comment. Where this could be unsure it counts
 * more, never fewer: a wrong count refuses a query, it never lets one through.
 */

/** Identifier characters: a quote or `$` right after one does not start a string (`e'…'` in `some'…'`). */
const IDENT = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

export function countDuckdbStatements(sql: string): number {
  let count = 0;
  let content = false; // the current statement has something besides spaces and comments
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    const afterIdent = i > 0 && IDENT.test(sql[i - 1]);
    if (c === ';') {
      if (content) count++;
      content = false;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      i = blockCommentEnd(sql, i);
    } else if (c === "'") {
      // E'…' (not some_e'…'): backslash escapes; otherwise a standard string.
      const extended = (sql[i - 1] === 'E' || sql[i - 1] === 'e') && !(i > 1 && IDENT.test(sql[i - 2]));
      i = quotedEnd(sql, i, "'", extended);
      content = true;
    } else if (c === '"') {
      i = quotedEnd(sql, i, '"', false);
      content = true;
    } else if (c === '$' && !afterIdent && DOLLAR_TAG.test(sql.slice(i))) {
      const tag = (DOLLAR_TAG.exec(sql.slice(i)) as RegExpExecArray)[0];
      const end = sql.indexOf(tag, i + tag.length);
      i = end === -1 ? n : end + tag.length;
      content = true;
    } else {
      content = true;
      i++;
    }
  }
  return content ? count + 1 : count;
}

/** Index past the quote closing the one at `start` ('' or "" is a quote inside); the end if unclosed. */
function quotedEnd(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    if (backslashEscapes && sql[i] === '\\') i += 2;
    else if (sql[i] === quote && sql[i + 1] === quote) i += 2;
    else if (sql[i] === quote) return i + 1;
    else i++;
  }
  return sql.length;
}

/** Index past the comment opening at `start`: comments nest, as in PostgreSQL; the end if unclosed. */
function blockCommentEnd(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return sql.length;
}
