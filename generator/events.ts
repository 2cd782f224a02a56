/**
 * Sale events for Pub/Sub, from the generator's model: the rows `gen` would
 * write (same seed → same customers, amounts, categories, regions and
 * transaction ids), one JSON object per message, with the sale happening now:
 * attribute `event_time` (RFC 3339) and `transaction_date` its UTC date.
 *
 * Row numbers continue the batch data set: by default the events start after
 * `gen`'s default 10M rows, so a stream never repeats the history a batch load
 * brought (`firstRow: 0` replays it, to test duplicates against batch loads).
 *
 * A seeded fault mix makes streams worth testing: re-published duplicates (an
 * earlier event sent again, same transaction_id), invalid events of every kind
 * (not JSON, not UTF-8, not an object, a missing field, a wrong type, a bad
 * value) in turn, and late events (event time minutes in the past).
 */
import { formatEpochDay } from '../shared/dates.ts';
import { UsageError } from '../shared/errors.ts';
import type { SalesDomains } from '../shared/schema/domains.ts';
import { BlockGenerator } from './block-generator.ts';
import { GEN_DEFAULTS, resolveGenOptions } from './options.ts';
import { BLOCK_ROWS, type WorkUnit } from './plan.ts';
import { namedStream, type Sfc32 } from './prng.ts';

export const INVALID_KINDS = [
  'not-json',
  'not-utf8',
  'not-object',
  'missing-field',
  'wrong-type',
  'bad-value',
] as const;
export type InvalidKind = (typeof INVALID_KINDS)[number];
export type EventKind = 'sale' | 'late' | 'duplicate' | 'invalid';

export interface SaleEventOptions {
  seed?: number;
  /** Row number of the first event in the generator's data set (default: after gen's default 10M rows). */
  firstRow?: number;
  customers?: number;
  domains?: SalesDomains;
  /** Share of messages that re-publish an earlier event (0..1). */
  duplicates?: number;
  /** Share of messages that are invalid (0..1). */
  invalid?: number;
  /** Share of sales whose event time lies minutes in the past (0..1). */
  late?: number;
  /** How far in the past a late event happened, in minutes: uniform in [min, max] (default 5–15). */
  lateMinutes?: readonly [number, number];
}

export interface SaleEventMessage {
  data: Buffer;
  attributes: Record<string, string>;
  kind: EventKind;
  invalid?: InvalidKind;
  /** The sale's id (undefined for invalid events). */
  transactionId?: string;
  /** When the sale happened (epoch ms). */
  eventTime: number;
}

export const DEFAULT_FIRST_ROW = GEN_DEFAULTS.rows;
/** Earlier events a duplicate may repeat. */
const RECENT = 1000;
const DATE_FIELD = /"transaction_date":"\d{4}-\d{2}-\d{2}"/;
const ID_FIELD = /"transaction_id":"([^"]*)"/;

function share(name: string, v: number | undefined): number {
  const x = v ?? 0;
  if (!(x >= 0 && x <= 1)) throw new UsageError(`--${name} must be a share between 0 and 1, got ${v}`, { field: name });
  return x;
}

export class SaleEvents {
  private readonly gen: BlockGenerator;
  private readonly batchSize: number;
  private readonly faults: Sfc32;
  private readonly duplicates: number;
  private readonly invalid: number;
  private readonly late: number;
  private readonly lateMinutes: readonly [number, number];
  private row: number;
  private lines: string[] = [];
  private next = 0;
  private readonly recent: SaleEventMessage[] = [];
  private invalidTurn = 0;

  constructor(opts: SaleEventOptions = {}) {
    const o = resolveGenOptions({
      seed: opts.seed,
      customers: opts.customers,
      domains: opts.domains,
      format: 'ndjson',
      workers: 0,
    });
    this.gen = new BlockGenerator(o);
    this.batchSize = o.batchSize;
    this.faults = namedStream(o.seed, 'publish-faults');
    this.duplicates = share('duplicates', opts.duplicates);
    this.invalid = share('invalid', opts.invalid);
    this.late = share('late', opts.late);
    if (this.duplicates + this.invalid > 1) {
      throw new UsageError('--duplicates and --invalid add up to more than 1', { field: 'duplicates' });
    }
    this.lateMinutes = opts.lateMinutes ?? [5, 15];
    this.row = opts.firstRow ?? DEFAULT_FIRST_ROW;
    if (!Number.isSafeInteger(this.row) || this.row < 0) {
      throw new UsageError(`--first-row must be a whole number ≥ 0, got ${opts.firstRow}`, { field: 'first-row' });
    }
  }

  /** The next message; `now` (epoch ms) is when it is sent, the event time of an on-time sale. */
  nextMessage(now: number): SaleEventMessage {
    const u = this.faults.unit();
    if (u < this.duplicates && this.recent.length > 0) {
      const original = this.recent[Math.floor(this.faults.unit() * this.recent.length)];
      return { ...original, kind: 'duplicate' };
    }
    const line = this.nextLine();
    if (u < this.duplicates + this.invalid) return this.invalidEvent(line, now);
    const late = this.faults.unit() < this.late;
    const [lo, hi] = this.lateMinutes;
    const eventTime = late ? now - Math.round((lo + this.faults.unit() * (hi - lo)) * 60_000) : now;
    const text = line.replace(DATE_FIELD, `"transaction_date":"${formatEpochDay(Math.floor(eventTime / 86_400_000))}"`);
    const msg: SaleEventMessage = {
      data: Buffer.from(text),
      attributes: { event_time: new Date(eventTime).toISOString() },
      kind: late ? 'late' : 'sale',
      transactionId: ID_FIELD.exec(text)?.[1],
      eventTime,
    };
    if (this.recent.length < RECENT) this.recent.push(msg);
    else this.recent[Math.floor(this.faults.unit() * RECENT)] = msg;
    return msg;
  }

  private invalidEvent(line: string, now: number): SaleEventMessage {
    const kind = INVALID_KINDS[this.invalidTurn++ % INVALID_KINDS.length];
    const obj = JSON.parse(line) as Record<string, unknown>;
    let data: Buffer;
    switch (kind) {
      case 'not-json':
        data = Buffer.from(line.slice(0, Math.floor(line.length / 2)));
        break;
      case 'not-utf8':
        data = Buffer.concat([Buffer.from(line.slice(0, 20)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
        break;
      case 'not-object':
        data = Buffer.from(JSON.stringify(Object.values(obj)));
        break;
      case 'missing-field':
        delete obj.customer_id;
        data = Buffer.from(JSON.stringify(obj));
        break;
      case 'wrong-type':
        obj.sale_amount = { value: obj.sale_amount };
        data = Buffer.from(JSON.stringify(obj));
        break;
      case 'bad-value':
        obj.sale_amount = -Number(obj.sale_amount);
        obj.sales_region = 'Atlantis';
        data = Buffer.from(JSON.stringify(obj));
        break;
    }
    return {
      data,
      attributes: { event_time: new Date(now).toISOString() },
      kind: 'invalid',
      invalid: kind,
      eventTime: now,
    };
  }

  /** The next row of the data set as an NDJSON line (rendered a block at a time). */
  private nextLine(): string {
    if (this.next >= this.lines.length) this.renderBlock();
    return this.lines[this.next++];
  }

  private renderBlock(): void {
    // The block that holds `row`, exactly as gen renders it for a data set with gen's batch size.
    const batch = Math.floor(this.row / this.batchSize);
    const inBatch = this.row - batch * this.batchSize;
    const block = Math.floor(inBatch / BLOCK_ROWS);
    const firstRow = batch * this.batchSize + block * BLOCK_ROWS;
    const rows = Math.min(BLOCK_ROWS, this.batchSize - block * BLOCK_ROWS);
    const unit: WorkUnit = { index: 0, batch, block, firstRow, rows };
    const { buffer, length } = this.gen.renderInto(unit);
    const text = Buffer.from(buffer, 0, length).toString('utf8');
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    this.lines = lines.slice(this.row - firstRow);
    this.next = 0;
    this.row = firstRow + rows;
  }
}
