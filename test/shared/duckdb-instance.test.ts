import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createDuckdb } from '../../shared/duckdb-instance.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PRODUCT = [
  'shared',
  'generator',
  'transform',
  'upload',
  'aggregate',
  'warehouse',
  'pipelines',
  'cli',
  'test/util',
];

function* tsFiles(dir: string): Iterable<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* tsFiles(p);
    else if (e.name.endsWith('.ts')) yield p;
  }
}

describe('createDuckdb', () => {
  it('reads strings back exactly: a leading U+FEFF kept in VARCHAR, LIST, STRUCT, MAP and column names', async () => {
    const db = await createDuckdb(':memory:');
    const conn = await db.connect();
    try {
      const r = await conn.runAndReadAll(
        `SELECT chr(65279) || 'a' AS v, [chr(65279) || 'b'] AS l, {'k': chr(65279) || 'c'} AS s,
                MAP {chr(65279) || 'd': chr(65279) || 'e'} AS m, 1 AS "${'\uFEFF'}col"`,
      );
      expect(r.getRowsJson()).toEqual([
        ['\uFEFFa', ['\uFEFFb'], { k: '\uFEFFc' }, [{ key: '\uFEFFd', value: '\uFEFFe' }], 1],
      ]);
      expect(r.getRowObjectsJson()[0]).toHaveProperty('\uFEFFcol', 1);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });

  it('is the only way product code and test peers open DuckDB', () => {
    const direct = PRODUCT.flatMap((folder) => [...tsFiles(join(ROOT, folder))])
      .filter(
        (f) =>
          !f.endsWith('duckdb-instance.ts') && /DuckDBInstance\.(create|fromCache)\(/.test(readFileSync(f, 'utf8')),
      )
      .map((f) => relative(ROOT, f));
    expect(direct).toEqual([]);
  });
});
