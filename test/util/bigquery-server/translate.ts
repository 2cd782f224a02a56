/**
 * BigQuery Standard SQL → DuckDB, for what this project's SQL uses: backticked
 * `project.dataset.table` paths, @params (bound as text and cast to their
 * declared type), double-quoted strings, SAFE_CAST, DIV, NUMERIC/FLOAT64 type
 * names and NUMERIC literals, REGEXP_CONTAINS, REGEXP_REPLACE (every match),
 * SPLIT, `UNNEST(…) AS x` in FROM, DATE_TRUNC(date, MONTH) staying a DATE,
 * TIMESTAMP_TRUNC(ts, MINUTE),
 * DATE_ADD/DATE_SUB, CURRENT_TIMESTAMP(), MERGE without INTO, and the DDL
 * clauses DuckDB has no use for (PARTITION BY / CLUSTER BY / OPTIONS). Not a
 * general translator: anything else passes through and DuckDB reports it.
 */
import { duckdbIdent } from '../../../shared/duckdb-quote.ts';
import { type Token, tokenize } from '../../../warehouse/sql-lexer.ts';

/** BigQuery NUMERIC is DECIMAL(38, 9) (DuckDB's bare NUMERIC is DECIMAL(18, 3)). */
const NUMERIC = 'DECIMAL(38, 9)';

const TYPE_NAMES: Record<string, string> = {
  NUMERIC,
  BIGNUMERIC: NUMERIC,
  BIGDECIMAL: NUMERIC,
  DECIMAL: NUMERIC,
  FLOAT64: 'DOUBLE',
  INT64: 'BIGINT',
  STRING: 'VARCHAR',
  BYTES: 'BLOB',
  BOOL: 'BOOLEAN',
};

export interface TranslateOptions {
  /** DuckDB type to cast each @param to (from the request's queryParameters). */
  paramTypes?: Readonly<Record<string, string>>;
}

export function translateBigQuerySql(sql: string, opts: TranslateOptions = {}): string {
  const tokens = tokenize(sql);
  return statementsOf(tokens)
    .map((stmt) => emit(stripCreateTableClauses(stmt), opts))
    .join('');
}

/** Split token list at top-level `;` keeping the separators with the preceding statement. */
function statementsOf(tokens: Token[]): Token[][] {
  const out: Token[][] = [[]];
  for (const t of tokens) {
    out[out.length - 1].push(t);
    if (t.kind === 'punct' && t.text === ';') out.push([]);
  }
  return out.filter((s) => s.length > 0);
}

const significant = (t: Token) => t.kind !== 'space' && t.kind !== 'comment';
const isWord = (t: Token | undefined, w: string) => t?.kind === 'word' && t.text.toUpperCase() === w;

/** In CREATE TABLE, drop top-level PARTITION BY … / CLUSTER BY … (DuckDB has neither). */
function stripCreateTableClauses(stmt: Token[]): Token[] {
  const sig = stmt.filter(significant);
  if (!isWord(sig[0], 'CREATE') || !sig.slice(1, 5).some((t) => isWord(t, 'TABLE'))) return stmt;
  const out: Token[] = [];
  let depth = 0;
  let skipping = false;
  for (let i = 0; i < stmt.length; i++) {
    const t = stmt[i];
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (depth === 0 && (isWord(t, 'PARTITION') || isWord(t, 'CLUSTER')) && isWord(nextSig(stmt, i), 'BY')) {
      skipping = true;
    } else if (skipping && depth === 0 && (isWord(t, 'OPTIONS') || isWord(t, 'AS') || t.text === ';')) {
      skipping = false;
    }
    if (!skipping) out.push(t);
  }
  return out;
}

function nextSig(tokens: Token[], i: number): Token | undefined {
  for (let j = i + 1; j < tokens.length; j++) if (significant(tokens[j])) return tokens[j];
  return undefined;
}

function nextSigIndex(tokens: Token[], i: number): number {
  for (let j = i + 1; j < tokens.length; j++) if (significant(tokens[j])) return j;
  return -1;
}

/** Index of the `)` matching the `(` at `open`. */
function matchParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    if (tokens[j].text === '(') depth++;
    else if (tokens[j].text === ')' && --depth === 0) return j;
  }
  return tokens.length - 1;
}

/** Top-level comma-separated arguments between `(` at open and `)` at close. */
function argsOf(tokens: Token[], open: number, close: number): Token[][] {
  const args: Token[][] = [[]];
  let depth = 0;
  for (let j = open + 1; j < close; j++) {
    const t = tokens[j];
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (depth === 0 && t.text === ',') args.push([]);
    else args[args.length - 1].push(t);
  }
  return args;
}

/** BigQuery string literal (either quote, backslash escapes) → DuckDB '…'. */
function stringLiteral(text: string): string {
  const body = text.slice(1, -1);
  const unescaped = body.replace(/\\(.)/gs, (_, c: string) =>
    c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c === '0' ? '\0' : c,
  );
  return `'${unescaped.replaceAll("'", "''")}'`;
}

/** `a.b.c` / `b.c` / `c` → "b"."c" / "b"."c" / "c" (the project is implied: one per server). */
function backtickPath(text: string): string {
  const parts = text.slice(1, -1).split('.');
  const keep = parts.length >= 3 ? parts.slice(-2) : parts;
  return keep.map(duckdbIdent).join('.');
}

function emit(tokens: Token[], opts: TranslateOptions): string {
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const upper = t.kind === 'word' ? t.text.toUpperCase() : '';
    const nextIdx = nextSigIndex(tokens, i);
    const next = nextIdx === -1 ? undefined : tokens[nextIdx];
    const call = next?.text === '(';
    if (t.kind === 'backtick') {
      out += backtickPath(t.text);
    } else if (t.kind === 'string') {
      out += stringLiteral(t.text);
    } else if (t.kind === 'param') {
      const name = t.text.slice(1);
      const type = opts.paramTypes?.[name];
      out += type ? `CAST($${name} AS ${type})` : `$${name}`;
    } else if (upper === 'SAFE_CAST' && call) {
      out += 'TRY_CAST';
    } else if (upper === 'DIV' && call) {
      out += 'divide';
    } else if (upper === 'REGEXP_CONTAINS' && call) {
      out += 'regexp_matches'; // both: true when the pattern matches anywhere (RE2 syntax)
    } else if (upper === 'SPLIT' && call) {
      out += 'string_split';
    } else if (upper === 'REGEXP_REPLACE' && call) {
      // BigQuery replaces every match; DuckDB only the first unless given the 'g' option.
      const close = matchParen(tokens, nextIdx);
      out += `regexp_replace(${argsOf(tokens, nextIdx, close)
        .map((a) => emit(a, opts))
        .join(',')}, 'g')`;
      i = close;
    } else if (upper === 'UNNEST' && call && isWord(nextSig(tokens, matchParen(tokens, nextIdx)), 'AS')) {
      // FROM t, UNNEST(array) AS x: in DuckDB a bare alias names the table (x would be a struct), so name the column too.
      const close = matchParen(tokens, nextIdx);
      const asIdx = nextSigIndex(tokens, close);
      const aliasIdx = nextSigIndex(tokens, asIdx);
      const alias = tokens[aliasIdx].text;
      out += `unnest${emit(tokens.slice(nextIdx, close + 1), opts)} AS ${alias}(${alias})`;
      i = aliasIdx;
    } else if (upper === 'COUNTIF' && call) {
      out += 'count_if';
    } else if ((upper === 'CURRENT_TIMESTAMP' || upper === 'CURRENT_DATETIME') && call) {
      const close = matchParen(tokens, nextIdx);
      out += 'CAST(get_current_timestamp() AS TIMESTAMP)';
      i = close;
    } else if (upper === 'CURRENT_DATE' && call) {
      out += 'current_date';
      i = matchParen(tokens, nextIdx);
    } else if ((upper === 'DATE_TRUNC' || upper === 'TIMESTAMP_TRUNC') && call) {
      // DATE_TRUNC(expr, PART) / TIMESTAMP_TRUNC(expr, PART): DuckDB takes ('part', expr) and returns a
      // TIMESTAMP, which DATE_TRUNC casts back to a DATE.
      const close = matchParen(tokens, nextIdx);
      const [expr, part] = argsOf(tokens, nextIdx, close);
      const partText = (part ?? [])
        .filter(significant)
        .map((x) => x.text.toLowerCase())
        .join(' ');
      const truncated = `date_trunc('${partText}', ${emit(expr, opts)})`;
      out += upper === 'DATE_TRUNC' ? `CAST(${truncated} AS DATE)` : truncated;
      i = close;
    } else if ((upper === 'DATE_ADD' || upper === 'DATE_SUB') && call) {
      const close = matchParen(tokens, nextIdx);
      const [expr, interval] = argsOf(tokens, nextIdx, close);
      out += `CAST((${emit(expr, opts)}) ${upper === 'DATE_ADD' ? '+' : '-'} ${emit(interval, opts).trim()} AS DATE)`;
      i = close;
    } else if (upper === 'DATE' && call) {
      const close = matchParen(tokens, nextIdx);
      out += `CAST(${emit(tokens.slice(nextIdx + 1, close), opts)} AS DATE)`;
      i = close;
    } else if (upper === 'OPTIONS' && call) {
      i = matchParen(tokens, nextIdx); // table/view descriptions: nothing to do in DuckDB
    } else if (upper === 'MERGE' && !isWord(next, 'INTO')) {
      out += 'MERGE INTO';
    } else if ((upper === 'NUMERIC' || upper === 'BIGNUMERIC') && next?.kind === 'string') {
      out += `CAST(${stringLiteral(next.text)} AS ${NUMERIC})`;
      i = nextIdx;
    } else if ((upper === 'NUMERIC' || upper === 'DECIMAL') && call) {
      out += 'DECIMAL'; // NUMERIC(p, s) keeps its precision and scale
    } else if (upper in TYPE_NAMES && !call && !isAfterDot(tokens, i)) {
      out += TYPE_NAMES[upper];
    } else {
      out += t.text;
    }
  }
  return out;
}

function isAfterDot(tokens: Token[], i: number): boolean {
  for (let j = i - 1; j >= 0; j--) if (significant(tokens[j])) return tokens[j].text === '.';
  return false;
}
