/**
 * Rename a column of a Parquet file by rewriting its name in the footer, to
 * make files no well-behaved writer makes: DuckDB's COPY de-duplicates names
 * (`x`, `x_1`), but a Parquet schema may hold `sale_amount` and `SALE_AMOUNT`,
 * or one name twice. The new name has the old one's length, so every offset in
 * the file stays true; the old name must not occur as a value.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export function renameParquetColumn(path: string, from: string, to: string): void {
  const a = Buffer.from(from);
  const b = Buffer.from(to);
  if (a.length !== b.length) throw new Error(`"${from}" and "${to}" differ in length`);
  const bytes = readFileSync(path);
  let renamed = 0;
  for (let at = bytes.indexOf(a); at >= 0; at = bytes.indexOf(a, at + a.length)) {
    b.copy(bytes, at);
    renamed++;
  }
  if (renamed === 0) throw new Error(`no "${from}" in ${path}`);
  writeFileSync(path, bytes);
}
