import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withMemoryDuckDB } from '../../util/duckdb.ts';
import { describe, expect, it } from 'vitest';
import {
  COLUMN_NAMES,
  CSV_HEADER,
  resolveColumn,
  resolveColumns,
  salesBigQuerySchema,
  salesTableDdl,
  TERRAFORM_SALES_SCHEMA_PATH,
  terraformSalesSchemaJson,
} from '../../../shared/schema/index.ts';
import { salesArrowSchema } from '../../../shared/schema/arrow.ts';
import { UsageError } from '../../../shared/errors.ts';
import { REPO_ROOT } from '../../util/cli.ts';

describe('columns and aliases', () => {
  it('has the CSV header in schema order', () => {
    expect(CSV_HEADER).toBe('transaction_id,customer_id,transaction_date,sale_amount,product_category,sales_region');
  });

  it('resolves aliases case-insensitively', () => {
    expect(resolveColumn('region')).toBe('sales_region');
    expect(resolveColumn('Category')).toBe('product_category');
    expect(resolveColumn('date')).toBe('transaction_date');
    expect(resolveColumn('amount')).toBe('sale_amount');
    expect(resolveColumn('customer')).toBe('customer_id');
    expect(resolveColumn('sales_region')).toBe('sales_region');
    expect(resolveColumns('region, category')).toEqual(['sales_region', 'product_category']);
  });

  it('lists the valid names for an unknown column', () => {
    expect(() => resolveColumn('colour')).toThrow(UsageError);
    expect(() => resolveColumn('colour')).toThrow(/valid: transaction_id .*sales_region \(region\)/);
    expect(() => resolveColumns('region,sales_region')).toThrow(/given twice/);
  });
});

describe('derived schemas', () => {
  it('BigQuery schema: types, modes, NUMERIC(12,2)', () => {
    const schema = salesBigQuerySchema();
    expect(schema.map((f) => [f.name, f.type, f.mode])).toEqual([
      ['transaction_id', 'STRING', 'REQUIRED'],
      ['customer_id', 'INT64', 'REQUIRED'],
      ['transaction_date', 'DATE', 'REQUIRED'],
      ['sale_amount', 'NUMERIC', 'REQUIRED'],
      ['product_category', 'STRING', 'REQUIRED'],
      ['sales_region', 'STRING', 'REQUIRED'],
    ]);
    expect(schema[3]).toMatchObject({ precision: '12', scale: '2' });
  });

  it('Arrow schema: int64, date32, decimal(12,2), dictionary strings', () => {
    const fields = salesArrowSchema().fields;
    expect(fields.map((f) => f.name)).toEqual([...COLUMN_NAMES]);
    expect(String(fields[1].type)).toBe('Int64');
    expect(String(fields[2].type)).toBe('Date32<DAY>');
    expect(fields[3].type).toMatchObject({ precision: 12, scale: 2 });
    expect(String(fields[5].type)).toBe('Dictionary<Int32, Utf8>');
    expect(salesArrowSchema(['sales_region']).fields.map((f) => f.name)).not.toContain('sales_region');
  });

  it('DuckDB DDL creates the table DuckDB describes with our types', async () => {
    await withMemoryDuckDB(async (conn) => {
      await conn.run(salesTableDdl('sales'));
      const reader = await conn.runAndReadAll('DESCRIBE sales');
      const rows = reader.getRowObjectsJS().map((r) => [r.column_name, r.column_type]);
      expect(rows).toEqual([
        ['transaction_id', 'VARCHAR'],
        ['customer_id', 'BIGINT'],
        ['transaction_date', 'DATE'],
        ['sale_amount', 'DECIMAL(12,2)'],
        ['product_category', 'VARCHAR'],
        ['sales_region', 'VARCHAR'],
      ]);
    });
  });

  it('the committed Terraform schema file matches the schema module', () => {
    const committed = readFileSync(join(REPO_ROOT, TERRAFORM_SALES_SCHEMA_PATH), 'utf8');
    expect(committed).toBe(terraformSalesSchemaJson());
  });
});
