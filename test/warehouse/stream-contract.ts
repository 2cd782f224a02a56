/**
 * The streaming part of the warehouse contract: commitStreamBatch and
 * refreshMinuteTotals behave the same on every implementation. Each test uses
 * its own transaction ids, message ids and minutes.
 */
import { expect, it } from 'vitest';
import { formatCents } from '../../shared/money.ts';
import type { StreamEvent, StreamReject } from '../../warehouse/stream.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { salesJson, sampleRows, type SampleRow } from './fixtures.ts';

export const SOURCE = 'projects/p/subscriptions/sales-sub';
const MINUTE = 60_000;

/** A valid sale as the stream hands it to the warehouse. */
export function event(r: SampleRow, messageId: string, publishTime: number, eventTime = publishTime): StreamEvent {
  return {
    messageId,
    publishTime,
    eventTime,
    record: {
      transaction_id: r.id,
      customer_id: r.customer,
      transaction_date: r.date,
      sale_amount: r.cents,
      product_category: r.category,
      sales_region: r.region,
    },
  };
}

/** A poison message as the stream hands it to the warehouse. */
export function reject(messageId: string, publishTime: number, payload: string, base64 = false): StreamReject {
  return {
    messageId,
    publishTime,
    payload,
    payloadEncoding: base64 ? 'base64' : undefined,
    attributes: { event_time: 'not a time', origin: 'test' },
    reasons: 'row is not valid JSON (Unexpected token)',
  };
}

export function streamCommitContract(warehouse: () => Warehouse): void {
  const rows = async (w: Warehouse, sql: string, params = {}) => (await w.query(sql, { params })).rows;

  it('commits a stream micro-batch once: redelivery adds nothing, duplicates are counted, poison is quarantined', async () => {
    const w = warehouse();
    const t0 = Date.parse('2031-01-01T00:00:10Z');
    const sales = sampleRows(5, 30);
    // TX-30-…4 was loaded by a batch run before the stream saw it.
    await w.insertRows('silver_sales', [{ insertId: sales[4].id, row: salesJson(sales[4]) }]);
    const events = [
      event(sales[0], 'm30-1', t0),
      event(sales[1], 'm30-3', t0 + 2), // a re-published duplicate of m30-2, published later
      event(sales[1], 'm30-2', t0 + 1),
      event(sales[3], 'm30-4', t0 + 3),
      event(sales[4], 'm30-5', t0 + 4),
    ];
    const rejects = [reject('m30-6', t0 + 5, '{"transaction_id": '), reject('m30-7', t0 + 6, '/w==', true)];
    const first = await w.commitStreamBatch({ events, rejects, source: SOURCE });
    expect(first).toEqual({ bronze: 5, silver: 3, duplicates: 2, quarantined: 2, redelivered: 0 });

    // The whole batch delivered again (no ack reached Pub/Sub): nothing changes.
    const again = await w.commitStreamBatch({ events, rejects, source: SOURCE });
    expect(again).toEqual({ bronze: 0, silver: 0, duplicates: 5, quarantined: 0, redelivered: 7 });

    const silver = await rows(
      w,
      'SELECT transaction_id, _message_id, _source_file, _event_time FROM silver_sales WHERE transaction_id LIKE @p ORDER BY transaction_id',
      { p: 'TX-30-%' },
    );
    expect(silver.map((r) => [r.transaction_id, r._message_id])).toEqual([
      [sales[0].id, 'm30-1'],
      [sales[1].id, 'm30-2'], // the first by publish time wins
      [sales[3].id, 'm30-4'],
      [sales[4].id, null], // the batch-loaded row stays as it was
    ]);
    expect(silver[0]._source_file).toBe(SOURCE);
    expect(silver[0]._event_time).toMatch(/^2031-01-01T00:00:10/);
    const bronze = await rows(
      w,
      'SELECT _message_id, _publish_time, sale_amount FROM bronze_sales WHERE _message_id LIKE @p ORDER BY _message_id',
      { p: 'm30-%' },
    );
    expect(bronze.map((r) => r._message_id)).toEqual(['m30-1', 'm30-2', 'm30-3', 'm30-4', 'm30-5']);
    expect(bronze[0].sale_amount).toBe(formatCents(sales[0].cents));
    const quarantine = await rows(
      w,
      'SELECT _message_id, raw_row, _payload_encoding, _attributes, reasons, _source_file FROM quarantine_sales WHERE _message_id LIKE @p ORDER BY _message_id',
      { p: 'm30-%' },
    );
    expect(quarantine.map((r) => [r._message_id, r.raw_row, r._payload_encoding])).toEqual([
      ['m30-6', '{"transaction_id": ', null],
      ['m30-7', '/w==', 'base64'],
    ]);
    expect(JSON.parse(String(quarantine[0]._attributes))).toEqual({ event_time: 'not a time', origin: 'test' });
    expect(quarantine[0].reasons).toMatch(/not valid JSON/);
    expect(quarantine[0]._source_file).toBe(SOURCE);
  });

  it('a stream commit that fails before COMMIT writes nothing', async () => {
    const w = warehouse();
    const t0 = Date.parse('2031-01-01T00:10:00Z');
    const sales = sampleRows(3, 31);
    const events = sales.map((r, i) => event(r, `m31-${i}`, t0 + i));
    const boom = new Error('power cut');
    const err = await w
      .commitStreamBatch({
        events,
        rejects: [reject('m31-x', t0, 'nope')],
        source: SOURCE,
        beforeCommit: () => {
          throw boom;
        },
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    for (const [table, column] of [
      ['bronze_sales', '_message_id'],
      ['silver_sales', 'transaction_id'],
      ['quarantine_sales', '_message_id'],
    ]) {
      const n = await rows(w, `SELECT COUNT(*) AS n FROM ${table} WHERE ${column} LIKE @p`, {
        p: column === 'transaction_id' ? 'TX-31-%' : 'm31-%',
      });
      expect(n[0].n, table).toBe(0);
    }
    // The retry lands everything.
    const ok = await w.commitStreamBatch({ events, rejects: [], source: SOURCE });
    expect(ok.silver).toBe(3);
  });

  it('recomputes gold_sales_per_minute from silver: exact, idempotent, by minute and region', async () => {
    const w = warehouse();
    const m0 = Date.parse('2031-02-01T12:00:00Z');
    const sales = sampleRows(40, 32);
    const events = sales.map((r, i) => event(r, `m32-${i}`, m0 + i * 1000, m0 + (i % 2) * MINUTE + i * 100));
    // A duplicate in the next minute must not count twice.
    events.push(event(sales[0], 'm32-dup', m0 + 50_000, m0 + MINUTE + 5));
    await w.commitStreamBatch({ events, rejects: [], source: SOURCE });
    const changed = await w.refreshMinuteTotals({ minutes: [m0, m0 + MINUTE] });
    const expected = new Map<string, { n: number; cents: number }>();
    sales.forEach((r, i) => {
      const key = `${i % 2}|${r.region}`;
      const g = expected.get(key) ?? { n: 0, cents: 0 };
      g.n++;
      g.cents += r.cents;
      expected.set(key, g);
    });
    expect(changed).toBe(expected.size);
    const gold = await rows(
      w,
      'SELECT window_start, sales_region, transactions, total_sales FROM gold_sales_per_minute WHERE window_start >= @a AND window_start < @b ORDER BY window_start, sales_region',
      {
        a: { type: 'TIMESTAMP', value: new Date(m0).toISOString() },
        b: { type: 'TIMESTAMP', value: new Date(m0 + 2 * MINUTE).toISOString() },
      },
    );
    const want = [...expected.entries()]
      .map(([key, g]) => {
        const [minute, region] = key.split('|');
        return {
          window_start: new Date(m0 + Number(minute) * MINUTE).toISOString().replace('.000Z', '.000000Z'),
          sales_region: region,
          transactions: g.n,
          total_sales: formatCents(g.cents),
        };
      })
      .sort((a, b) => a.window_start.localeCompare(b.window_start) || a.sales_region.localeCompare(b.sales_region));
    expect(gold).toEqual(want);
    // Again: nothing differs, nothing changes; by "loaded since", the same minutes.
    expect(await w.refreshMinuteTotals({ minutes: [m0, m0 + MINUTE] })).toBe(0);
    // Every minute with rows loaded in the last hour (other tests' too), then again: nothing left to change.
    await w.refreshMinuteTotals({ since: Date.now() - 3_600_000 });
    expect(await w.refreshMinuteTotals({ since: Date.now() - 3_600_000 })).toBe(0);
    // A new event in minute 0 updates that minute's row for its region, by recomputing.
    const extra = sampleRows(1, 33)[0];
    await w.commitStreamBatch({ events: [event(extra, 'm33-0', m0 + 1, m0 + 1)], rejects: [], source: SOURCE });
    expect(await w.refreshMinuteTotals({ since: Date.now() - 3_600_000 })).toBe(1);
    const row = await rows(
      w,
      'SELECT transactions FROM gold_sales_per_minute WHERE window_start = @w AND sales_region = @r',
      { w: { type: 'TIMESTAMP', value: new Date(m0).toISOString() }, r: extra.region },
    );
    expect(row[0].transactions).toBe((expected.get(`0|${extra.region}`)?.n ?? 0) + 1);
    expect(await w.refreshMinuteTotals({ minutes: [] })).toBe(0);
  });
}
