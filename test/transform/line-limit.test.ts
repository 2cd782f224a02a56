/**
 * One line limit (MAX_LINE_BYTES) on every text reader: an over-long line is one
 * rejected row — never the whole file, never held whole in memory — whether it
 * fits a read buffer or not, plain or gzip, CSV or NDJSON, in to-parquet and in
 * the pipelines' reader; the aggregate's CSV reader applies the same limit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildQueries } from '../../aggregate/query.ts';
import { aggregate } from '../../aggregate/run.ts';
import { CSV_HEADER, MAX_LINE_BYTES } from '../../shared/schema/index.ts';
import { convertToParquet, readSalesFile } from '../../transform/index.ts';
import { LineLimiter } from '../../transform/line-limit.ts';
import { rowLine, salesJson, sampleRows } from '../util/sales-csv.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-line-limit-');
const rows = sampleRows(300, 5);
const REASON = `row is longer than ${MAX_LINE_BYTES} bytes`;
// Longer than a 4 MiB read buffer, and longer than the limit but shorter than a buffer.
const HUGE = 5 * 1024 * 1024 + 3;
const LONG = MAX_LINE_BYTES + 1;

function csvWithLongLines(): string {
  const lines = rows.map(rowLine);
  lines.splice(100, 0, `TX-huge,1,2024-01-01,1.00,Books,${'N'.repeat(HUGE)}`);
  lines.splice(200, 0, 'y'.repeat(LONG));
  return `${CSV_HEADER}\n${lines.join('\n')}\n`;
}

describe('over-long lines', () => {
  it('the limiter keeps short lines, cuts long ones (still too long to pass), and keeps the line count', () => {
    const input = ['a', 'x'.repeat(200), 'bb', '', 'y'.repeat(101), 'z'.repeat(150)];
    const text = new TextEncoder().encode(input.join('\n'));
    for (const size of [1, 7, 64, 101, 150, 400, text.length]) {
      const limiter = new LineLimiter(100);
      const parts: number[] = [];
      for (let i = 0; i < text.length; i += size) parts.push(...limiter.cut(text.subarray(i, i + size)));
      const lines = Buffer.from(parts).toString().split('\n');
      expect(lines.length, `pieces of ${size}`).toBe(input.length);
      lines.forEach((line, i) => {
        if (input[i].length <= 101) expect(line, `pieces of ${size}, line ${i}`).toBe(input[i]);
        else expect(line.length, `pieces of ${size}, line ${i}`).toBeGreaterThan(100);
      });
    }
    // A line longer than any piece is held at most limit + 1 bytes.
    const limiter = new LineLimiter(100);
    let kept = 0;
    for (let i = 0; i < 100; i++) kept += limiter.cut(new Uint8Array(1000).fill(0x78)).length;
    expect(kept).toBe(101);
  });

  it.each([
    ['plain CSV', 'long.csv', (t: string) => t],
    ['gzip CSV', 'long.csv.gz', (t: string) => gzipSync(t)],
  ])('to-parquet: %s converts every other row; each long line is one reject', async (_what, name, encode) => {
    const input = join(tmp(), name);
    writeFileSync(input, encode(csvWithLongLines()));
    const out = join(tmp(), `lake-${name}`);
    const m = await convertToParquet({ input, outDir: out, partitionBy: 'region', maxErrors: 2, workers: 2 });
    expect(m.rows).toBe(rows.length);
    const rejects = readFileSync(join(out, '_rejects/rejects.ndjson'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    // Physical line numbers: header 1, rows from 2; the long lines sit at 102 and 202.
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [102, REASON],
      [202, REASON],
    ]);
    expect(rejects[0].raw).toMatch(/^TX-huge,1,2024-01-01,1\.00,Books,N+…$/);
    expect(rejects[0].raw.length).toBeLessThan(2000);
  });

  it('the pipelines reader (NDJSON, gzip) rejects a long line as one row with its line number', async () => {
    const lines = rows.map((r) => JSON.stringify(salesJson(r)));
    lines.splice(50, 0, JSON.stringify({ ...salesJson(rows[0]), transaction_id: 'x'.repeat(HUGE) }));
    const input = join(tmp(), 'long.ndjson.gz');
    writeFileSync(input, gzipSync(`${lines.join('\n')}\n`));
    let records = 0;
    const rejects = [];
    for await (const b of readSalesFile(input)) {
      records += b.records.length;
      rejects.push(...b.rejects);
    }
    expect(records).toBe(rows.length);
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([[51, REASON]]);
  });

  it('aggregate reads a CSV with the same limit, and its error stays short', async () => {
    const input = join(tmp(), 'agg.csv');
    writeFileSync(input, `${CSV_HEADER}\n${rows.map(rowLine).join('\n')}\n${'y'.repeat(LONG)}\n`);
    const err = await aggregate({ source: input, queries: buildQueries({}) }).catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(/Maximum line size of 65536 bytes exceeded/);
    expect(String((err as Error).message).length).toBeLessThan(3000);
  });
});
