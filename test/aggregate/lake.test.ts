/** Finding a lake's files and their partition values from folder names. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openLocalSource } from '../../aggregate/lake.ts';
import { partitionPath } from '../../shared/hive-path.ts';
import { useTempDir } from '../util/tmp.ts';

const tmp = useTempDir('salesflow-aggregate-lake-');

it('reads partition folder names the way to-parquet writes them (Hive escapes, the default partition)', () => {
  const root = join(tmp(), 'escaped-lake');
  for (const value of ['Nor/th', '', '100%']) {
    const dir = join(root, partitionPath(['sales_region'], [value]));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'part-00000.parquet'), '');
  }
  const source = openLocalSource(root);
  if (source.kind !== 'parquet') throw new Error('expected a Parquet lake');
  expect(source.files.map((f) => f.partitions.sales_region).sort()).toEqual(['', '100%', 'Nor/th']);
});
