/**
 * `salesflow dashboard` serving, as an analyst starts it: the filters given on the
 * command line open the page filtered, a port in use or a refresh no timer can wait
 * is refused with the reason (exit 2).
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDBWarehouse } from '../../../warehouse/index.ts';
import { runSalesflow, startSalesflow } from '../../util/cli.ts';
import { fillGoldFixture } from '../../util/gold-fixture.ts';
import { useTempDir } from '../../util/tmp.ts';

const dir = useTempDir('salesflow-dashboard-command-');
let warehouse: string;

beforeAll(async () => {
  const path = join(dir(), 'gold.duckdb');
  const w = await DuckDBWarehouse.open(path);
  await w.ensure();
  await fillGoldFixture(w);
  await w.close();
  warehouse = `duckdb:${path}`;
});

describe('salesflow dashboard (serving)', { timeout: 120_000 }, () => {
  it('opens the page with the filters given on the command line', async () => {
    const run = startSalesflow(['dashboard', '-p', '0', '-w', warehouse, '--to', '2024-02-29', '--region', 'North']);
    try {
      await run.waitForStdout(/dashboard at \S+/);
      const url = /dashboard at (\S+)/.exec(run.stdout())![1];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?to=2024-02-29&region=North$/);
      const api = new URL(url);
      api.pathname = '/api/report';
      const model = await (await fetch(api)).json();
      expect(model.filterText).toBe('… – 2024-02-29, North');
      // T1, T2, T4, T6: 10.00 + 30.05 + 600.00 + 100.00
      expect(model.panels.kpis.rows).toEqual([{ transactions: 4, total_sales: '740.05', average_ticket: '185.01' }]);
      // A filter given twice is refused, not silently narrowed to one of its values.
      const twice = new URL(api);
      twice.search = '?region=North&region=South';
      const refused = await fetch(twice);
      expect(refused.status).toBe(400);
      expect((await refused.json()).error).toBe(
        'bad filter: region was given 2 times ("North", "South"); give it once',
      );
    } finally {
      run.kill('SIGTERM');
    }
    expect((await run.exited).code).toBe(0);
  });

  it('refuses a port in use and a refresh longer than a timer can wait (exit 2, with the reason)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const [inUse, tooLong] = await Promise.all([
        runSalesflow(['dashboard', '-p', String(port), '-w', warehouse]),
        runSalesflow(['dashboard', '-p', '0', '--refresh', '1000h', '-w', warehouse]),
      ]);
      expect(inUse.code).toBe(2);
      expect(inUse.stderr).toContain(`port ${port} on 127.0.0.1 is in use; pick another with --port`);
      expect(tooLong.code).toBe(2);
      expect(tooLong.stderr).toContain('--refresh "1000h": expected an interval of at least 1s and at most 596h');
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
