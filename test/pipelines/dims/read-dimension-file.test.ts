import { describe, expect, it } from 'vitest';
import { readDimensionFile } from '../../../pipelines/dims/read-dimension-file.ts';
import { CUSTOMERS_SCHEMA } from '../../../shared/schema/dimensions.ts';

const read = (text: string) =>
  readDimensionFile(Buffer.from(text), { file: 'customers.csv', schema: CUSTOMERS_SCHEMA, gzip: false });

describe('readDimensionFile: U+FEFF', () => {
  it('is skipped before the header, and is part of the value anywhere else', () => {
    const got = read(
      '\uFEFFcustomer_id,name,email,city,region\n1,Ann,ann@example.com,Oslo,North\n\uFEFF2,Bob,bob@example.com,Rome,South\n',
    );
    expect(got.rows.map((r) => r.values[0])).toEqual(['1']);
    expect(got.rejects).toEqual([
      { line: 3, raw: '\uFEFF2,Bob,bob@example.com,Rome,South', reasons: expect.stringMatching(/customer_id/) },
    ]);
  });
});
