/**
 * The layout check of a Parquet landing file, before anything is loaded: the
 * push-down path applies the text path's rules. Every sales column the hive
 * folders do not supply must be in the file with the record's physical type
 * (schema/file-columns.ts, read from the footer: the same check on a local
 * file and on a gs:// object, for DuckDB and BigQuery alike), and every value
 * a folder supplies must be one the validator accepts. Otherwise the file is a
 * layout rejection naming the column: no warehouse cast may round an amount,
 * reparse a text date or truncate a '7.9' id into valid-looking rows.
 */
import { InputError } from '../../shared/errors.ts';
import { readParquetColumns } from '../../shared/parquet-columns.ts';
import { partitionValuesProblem } from '../../shared/lake-layout.ts';
import { COLUMN_NAMES, columnSpec } from '../../shared/schema/index.ts';
import { fileColumnsProblem } from '../../shared/schema/file-columns.ts';
import { isPreconditionFailed, type ObjectStore } from '../../shared/storage/index.ts';
import type { LandingFile } from './landing-file.ts';
import { FileChangedError } from './snapshot.ts';

/**
 * Why the file cannot be loaded as it is laid out (`not a loadable sales Parquet file: …`), or
 * undefined; a FileChangedError when the file is no longer the version listed.
 */
export async function parquetLayoutProblem(store: ObjectStore, file: LandingFile): Promise<string | undefined> {
  const problem = await layoutProblem(store, file);
  return problem === undefined ? undefined : `not a loadable sales Parquet file: ${problem}`;
}

async function layoutProblem(store: ObjectStore, file: LandingFile): Promise<string | undefined> {
  const badValue = partitionValuesProblem(file.partitionValues);
  if (badValue !== undefined) return badValue;
  let found: Awaited<ReturnType<typeof readParquetColumns>>;
  try {
    // The version listed (its size says where the footer is), or the file changed: left waiting.
    const read = (start: number, end: number) =>
      store.getBuffer(file.key, { start, end }, { generation: file.generation });
    found = await readParquetColumns(file.uri, file.size, read);
  } catch (err) {
    if (isPreconditionFailed(err)) throw new FileChangedError(file, 'replaced before its layout was checked');
    if (err instanceof InputError) return err.message;
    throw err;
  }
  // Columns the file has are staged from the file (even if a folder names them too): check those as well.
  const needed = COLUMN_NAMES.filter((c) => file.partitionValues[c] === undefined || found.some(([n]) => n === c));
  // The target is NUMERIC(12,2): a wider decimal column holds values silver cannot.
  const problem = fileColumnsProblem(needed, found, { maxDecimalPrecision: columnSpec('sale_amount').precision });
  return problem?.message;
}
