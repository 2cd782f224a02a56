import { describe, expect, it } from 'vitest';
import { runSalesflow } from '../util/cli.ts';

describe('salesflow CLI', () => {
  it('--help lists commands and exit codes', async () => {
    const res = await runSalesflow(['--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Commands:');
    expect(res.stdout).toContain('Exit codes');
  });

  it('unknown command → clear message, exit 2', async () => {
    const res = await runSalesflow(['frobnicate']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('error: Unknown argument: frobnicate');
  });

  it('invalid choice → exit 2 naming the flag', async () => {
    const res = await runSalesflow(['schema', '--format', 'xml']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('Argument: format');
  });

  it('schema prints the BigQuery JSON', async () => {
    const res = await runSalesflow(['schema', '-f', 'bigquery']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)[3]).toMatchObject({
      name: 'sale_amount',
      type: 'NUMERIC',
      precision: '12',
      scale: '2',
    });
  });
});
