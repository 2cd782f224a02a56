import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateBatch, generateSales, resolveGenOptions, transactionId } from '../../generator/index.ts';
import { buildSalesModel } from '../../generator/model.ts';
import { BLOCK_ROWS } from '../../generator/plan.ts';
import { ConflictError } from '../../shared/errors.ts';
import { CSV_HEADER, RecordValidator } from '../../shared/schema/index.ts';
import { useTempDir } from '../util/tmp.ts';
import { parseRows, sha256File } from './helpers.ts';

const tmp = useTempDir('salesflow-gen-');
// Batches that end mid-block, so partial blocks and batch boundaries are both exercised.
const ROWS = 100_000;
const BATCH = 40_000;

describe('generateSales', () => {
  it('writes the same bytes with 0, 1 and 2 workers', async () => {
    const hashes = [];
    for (const workers of [0, 1, 2]) {
      const out = join(tmp(), `w${workers}.csv`);
      const s = await generateSales({ rows: ROWS, batchSize: BATCH, workers, out });
      expect(s).toMatchObject({ rows: ROWS, batches: 3, workers, out });
      hashes.push(sha256File(out));
    }
    expect(new Set(hashes).size).toBe(1);
  });

  it('writes a header and N rows, every one valid, with unique ids that follow the seed', async () => {
    const out = join(tmp(), 'valid.csv');
    const s = await generateSales({ rows: ROWS, batchSize: BATCH, workers: 2, out });
    const text = readFileSync(out, 'utf8');
    expect(s.bytes).toBe(Buffer.byteLength(text));
    const [header, ...rest] = text.split('\n');
    expect(header).toBe(CSV_HEADER);
    expect(rest.at(-1)).toBe(''); // ends with a newline
    const rows = parseRows(rest.join('\n'));
    expect(rows).toHaveLength(ROWS);
    expect(new Set(rows.map((r) => r.id)).size).toBe(ROWS);
    const validator = new RecordValidator();
    const bad = rows.filter(
      (r) => !validator.validateFields([r.id, String(r.customer), r.date, r.amount, r.category, r.region]).ok,
    );
    expect(bad).toEqual([]);
    // Ids are a function of (seed, row number): the library can recompute any of them.
    const keys = buildSalesModel(resolveGenOptions({ rows: ROWS, batchSize: BATCH, workers: 0 })).idKeys;
    for (const i of [0, 1, BLOCK_ROWS - 1, BLOCK_ROWS, BATCH, ROWS - 1])
      expect(rows[i].id).toBe(transactionId(i, keys));
  });

  it('keeps ids unique and identical across batch sizes, while a new seed changes the data', async () => {
    const ids = async (batchSize: number, seed = 42) => {
      const out = join(tmp(), `b${batchSize}-s${seed}.csv`);
      await generateSales({ rows: 50_000, batchSize, seed, workers: 2, out });
      return parseRows(readFileSync(out, 'utf8').split('\n').slice(1).join('\n'));
    };
    const a = await ids(50_000);
    const b = await ids(7_777);
    expect(new Set(b.map((r) => r.id)).size).toBe(50_000);
    expect(b.map((r) => r.id)).toEqual(a.map((r) => r.id));
    // Other batch boundaries mean other random streams: the same ids get other values.
    expect(b.map((r) => r.customer)).not.toEqual(a.map((r) => r.customer));
    const c = await ids(50_000, 43);
    expect(new Set([...a.map((r) => r.id), ...c.map((r) => r.id)]).size).toBe(100_000);
  });

  it('generateBatch returns exactly the rows of that batch in the file', async () => {
    const out = join(tmp(), 'batches.csv');
    await generateSales({ rows: ROWS, batchSize: BATCH, seed: 9, workers: 2, out });
    const lines = readFileSync(out, 'utf8').split('\n').slice(1, -1);
    const batch1 = generateBatch(9, 1, { batchSize: BATCH }).toString('utf8').split('\n').slice(0, -1);
    expect(batch1).toEqual(lines.slice(BATCH, 2 * BATCH));
    // The last batch is short when the dataset ends inside it.
    const last = generateBatch(9, 2, { batchSize: BATCH, rows: ROWS }).toString('utf8').split('\n').slice(0, -1);
    expect(last).toEqual(lines.slice(2 * BATCH));
    expect(() => generateBatch(9, 3, { batchSize: BATCH, rows: ROWS })).toThrow(
      /batch 3 does not exist: 100000 rows make 3 batches/,
    );
  });

  it('refuses to overwrite without force, replaces with force', async () => {
    const out = join(tmp(), 'exists.csv');
    writeFileSync(out, 'precious\n');
    await expect(generateSales({ rows: 10, workers: 0, out })).rejects.toBeInstanceOf(ConflictError);
    expect(readFileSync(out, 'utf8')).toBe('precious\n');
    await generateSales({ rows: 10, workers: 0, out, force: true });
    expect(readFileSync(out, 'utf8').split('\n')).toHaveLength(12);
  });

  it('leaves neither output nor temp file when interrupted', async () => {
    const dir = join(tmp(), 'abort');
    const out = join(dir, 'sales.csv');
    const abort = new AbortController();
    const run = generateSales(
      { rows: 200_000, batchSize: 50_000, workers: 2, out },
      { signal: abort.signal, onProgress: (p) => p.rows >= BLOCK_ROWS && abort.abort() },
    );
    await expect(run).rejects.toThrow(/aborted; no output written/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    // A failing progress callback is an interruption too.
    const failing = generateSales(
      { rows: 100_000, workers: 1, out },
      {
        onProgress: () => {
          throw new Error('disk full (simulated by the callback)');
        },
      },
    );
    await expect(failing).rejects.toThrow(/disk full/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
