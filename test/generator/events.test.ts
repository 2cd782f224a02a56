/**
 * Sale events for Pub/Sub: rows of the generator's data set (same seed → same
 * sales), event times of their sending, and a fault mix whose every message is
 * judged by the same codec the stream uses.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FIRST_ROW, INVALID_KINDS, SaleEvents } from '../../generator/events.ts';
import { generateBatch } from '../../generator/index.ts';
import { judgeJsonRecord, RecordValidator } from '../../shared/schema/index.ts';

const NOW = Date.parse('2026-12-01T10:00:00.000Z');
const validator = new RecordValidator();

describe('sale events', () => {
  it('are the rows gen writes for the same seed, happening now', () => {
    const events = new SaleEvents({ seed: 7, firstRow: 0 });
    const rows = generateBatch(7, 0, { rows: 40_000, format: 'ndjson' }).toString().trim().split('\n');
    // 40,000 crosses a 32,768-row block boundary.
    for (let i = 0; i < 40_000; i++) {
      const m = events.nextMessage(NOW + i);
      const fromGen = JSON.parse(rows[i]);
      const sent = JSON.parse(m.data.toString());
      if (i % 997 !== 0 && i !== 32_767 && i !== 32_768) continue;
      expect(sent, `row ${i}`).toEqual({ ...fromGen, transaction_date: '2026-12-01' });
      expect(m.kind).toBe('sale');
      expect(m.attributes.event_time).toBe(new Date(NOW + i).toISOString());
      expect(m.transactionId).toBe(fromGen.transaction_id);
    }
  });

  it('continue after gen’s default data set unless told otherwise, and replay for the same seed', () => {
    const a = new SaleEvents({ seed: 42 });
    const b = new SaleEvents({ seed: 42, firstRow: DEFAULT_FIRST_ROW });
    const c = new SaleEvents({ seed: 42, firstRow: 0 });
    const first = a.nextMessage(NOW);
    expect(first.data.equals(b.nextMessage(NOW).data)).toBe(true);
    const replay = c.nextMessage(NOW);
    expect(replay.transactionId).not.toBe(first.transactionId);
    const gen0 = JSON.parse(generateBatch(42, 0, { rows: 1, batchSize: 1_000_000, format: 'ndjson' }).toString());
    expect(replay.transactionId).toBe(gen0.transaction_id);
  });

  it('mix in duplicates, every kind of invalid event, and late events, seeded', () => {
    const make = () => new SaleEvents({ seed: 3, duplicates: 0.05, invalid: 0.05, late: 0.1 });
    const events = make();
    const again = make();
    const kinds: Record<string, number> = {};
    const invalidKinds = new Set<string>();
    const seen = new Map<string, Buffer>();
    for (let i = 0; i < 6000; i++) {
      const now = NOW + i * 10;
      const m = events.nextMessage(now);
      expect(m.data.equals(again.nextMessage(now).data)).toBe(true);
      kinds[m.kind] = (kinds[m.kind] ?? 0) + 1;
      const verdict = judgeJsonRecord(m.data, validator);
      if (m.kind === 'invalid') {
        invalidKinds.add(m.invalid as string);
        expect(verdict.ok, `${m.invalid}: ${m.data.toString()}`).toBe(false);
        continue;
      }
      expect(verdict.ok, m.data.toString()).toBe(true);
      const id = m.transactionId as string;
      if (m.kind === 'duplicate') {
        // The same bytes as the event it repeats, sent again.
        expect(seen.get(id)?.equals(m.data)).toBe(true);
        continue;
      }
      expect(seen.has(id)).toBe(false);
      seen.set(id, m.data);
      const eventTime = Date.parse(m.attributes.event_time);
      if (m.kind === 'late') {
        expect(now - eventTime).toBeGreaterThanOrEqual(5 * 60_000);
        expect(now - eventTime).toBeLessThanOrEqual(15 * 60_000);
      } else expect(eventTime).toBe(now);
      if (verdict.ok) expect(verdict.record.transaction_date).toBe(new Date(eventTime).toISOString().slice(0, 10));
    }
    expect(invalidKinds).toEqual(new Set(INVALID_KINDS));
    expect(kinds.duplicate / 6000).toBeCloseTo(0.05, 1);
    expect(kinds.invalid / 6000).toBeCloseTo(0.05, 1);
    expect(kinds.late / (kinds.late + kinds.sale)).toBeCloseTo(0.1, 1);
  });

  it('refuse shares outside 0..1', () => {
    expect(() => new SaleEvents({ duplicates: 1.5 })).toThrow(/--duplicates/);
    expect(() => new SaleEvents({ invalid: 0.6, duplicates: 0.6 })).toThrow(/more than 1/);
    expect(() => new SaleEvents({ firstRow: -1 })).toThrow(/--first-row/);
  });
});
