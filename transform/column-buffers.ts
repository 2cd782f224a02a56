/**
 * Growable typed columns for one partition's rows, turned into an Arrow record
 * batch without per-value JS objects: ids as UTF-8 bytes + int32 offsets,
 * customer_id as int64 (two uint32 words), dates as int32 epoch days,
 * amounts as decimal128 (four uint32 words), categorical strings as int32
 * indexes into a dictionary built once from the domain.
 */
import {
  type Data,
  type Dictionary,
  type Field,
  makeData,
  makeVector,
  RecordBatch,
  type Schema,
  Struct,
  Table,
  Utf8,
  type Vector,
} from 'apache-arrow';
import type { ColumnName, Int64Value, SalesDomains } from '../shared/schema/index.ts';
import { salesArrowSchema } from '../shared/schema/arrow.ts';

const TWO_32 = 4294967296;
/** Offsets, customer, day, cents, category, region. */
const BYTES_PER_ROW = 4 + 8 + 4 + 16 + 4 + 4;

export class ColumnBuffers {
  rows = 0;
  private capacity: number;
  private idBytes: Uint8Array;
  private idOffsets: Int32Array;
  private customer: Uint32Array;
  private day: Int32Array;
  private cents: Uint32Array;
  private category: Int32Array;
  private region: Int32Array;

  constructor(initialRows = 4096) {
    this.capacity = initialRows;
    this.idBytes = new Uint8Array(initialRows * 16);
    this.idOffsets = new Int32Array(initialRows + 1);
    this.customer = new Uint32Array(initialRows * 2);
    this.day = new Int32Array(initialRows);
    this.cents = new Uint32Array(initialRows * 4);
    this.category = new Int32Array(initialRows);
    this.region = new Int32Array(initialRows);
  }

  /** Approximate bytes held, for the flush budget. */
  /** Bytes allocated (capacity), whether used or not. */
  get byteSize(): number {
    return this.idBytes.byteLength + this.capacity * BYTES_PER_ROW;
  }

  /** Bytes holding rows, for the flush budget. */
  get usedBytes(): number {
    return this.idOffsets[this.rows] + this.rows * BYTES_PER_ROW;
  }

  /** Forget the rows but keep the arrays: refilling them makes no garbage. */
  reset(): void {
    this.rows = 0;
  }

  append(
    bytes: Uint8Array,
    idStart: number,
    idEnd: number,
    customer: Int64Value,
    day: number,
    cents: number,
    category: number,
    region: number,
  ): void {
    const i = this.rows;
    if (i === this.capacity) this.grow();
    const off = this.idOffsets[i];
    const len = idEnd - idStart;
    if (off + len > this.idBytes.length) this.idBytes = growBytes(this.idBytes, off + len);
    // Short ids: a byte loop beats subarray+set (which allocates a view per call).
    const dst = this.idBytes;
    for (let k = 0; k < len; k++) dst[off + k] = bytes[idStart + k];
    this.idOffsets[i + 1] = off + len;
    // Split into 32-bit words; the division only for the rare values past 2^32.
    if (typeof customer === 'bigint') {
      // Past 2^53 (rare): written exactly through a 64-bit view of the same words.
      new BigInt64Array(this.customer.buffer, 8 * i, 1)[0] = customer;
    } else if (customer < TWO_32) {
      this.customer[2 * i] = customer;
      this.customer[2 * i + 1] = 0;
    } else {
      this.customer[2 * i] = customer % TWO_32;
      this.customer[2 * i + 1] = Math.floor(customer / TWO_32);
    }
    this.day[i] = day;
    const c = 4 * i;
    if (cents < TWO_32) {
      this.cents[c] = cents;
      this.cents[c + 1] = 0;
    } else {
      this.cents[c] = cents % TWO_32;
      this.cents[c + 1] = Math.floor(cents / TWO_32);
    }
    this.cents[c + 2] = 0;
    this.cents[c + 3] = 0;
    this.category[i] = category;
    this.region[i] = region;
    this.rows = i + 1;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    this.idOffsets = resize(this.idOffsets, cap + 1);
    this.customer = resize(this.customer, cap * 2);
    this.day = resize(this.day, cap);
    this.cents = resize(this.cents, cap * 4);
    this.category = resize(this.category, cap);
    this.region = resize(this.region, cap);
    this.capacity = cap;
  }

  /** An Arrow table of the rows, without the excluded (partition) columns. */
  toArrowTable(domains: SalesDomains, exclude: readonly ColumnName[]): Table {
    const schema = salesArrowSchema(exclude);
    const n = this.rows;
    const children: Data[] = schema.fields.map((f) => this.columnData(f, n, domains));
    const struct = makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children });
    return new Table([new RecordBatch(schema as Schema, struct)]);
  }

  private columnData(field: Field, n: number, domains: SalesDomains): Data {
    switch (field.name as ColumnName) {
      case 'transaction_id':
        return makeData({
          type: field.type,
          length: n,
          nullCount: 0,
          valueOffsets: this.idOffsets.subarray(0, n + 1),
          data: this.idBytes.subarray(0, this.idOffsets[n]),
        });
      case 'customer_id':
        return makeData({
          type: field.type,
          length: n,
          nullCount: 0,
          data: new BigInt64Array(this.customer.buffer, 0, n),
        });
      case 'transaction_date':
        return makeData({ type: field.type, length: n, nullCount: 0, data: this.day.subarray(0, n) });
      case 'sale_amount':
        return makeData({ type: field.type, length: n, nullCount: 0, data: this.cents.subarray(0, 4 * n) });
      case 'product_category':
        return dictionaryData(field.type, this.category.subarray(0, n), domains.categories);
      case 'sales_region':
        return dictionaryData(field.type, this.region.subarray(0, n), domains.regions);
    }
  }
}

function dictionaryData(type: Dictionary, indexes: Int32Array, values: readonly string[]): Data {
  return makeData({ type, length: indexes.length, nullCount: 0, data: indexes, dictionary: utf8Vector(values) });
}

/** A small Utf8 vector built from bytes + offsets (the domain: a handful of values). */
function utf8Vector(values: readonly string[]): Vector<Utf8> {
  const enc = new TextEncoder();
  const parts = values.map((v) => enc.encode(v));
  const offsets = new Int32Array(parts.length + 1);
  for (let i = 0; i < parts.length; i++) offsets[i + 1] = offsets[i] + parts[i].length;
  const data = new Uint8Array(offsets[parts.length]);
  parts.forEach((p, i) => {
    data.set(p, offsets[i]);
  });
  return makeVector(
    makeData({ type: new Utf8(), length: parts.length, nullCount: 0, valueOffsets: offsets, data }),
  ) as Vector<Utf8>;
}

function resize<T extends Int32Array | Uint32Array>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}

function growBytes(a: Uint8Array, need: number): Uint8Array {
  let len = a.length * 2;
  while (len < need) len *= 2;
  const b = new Uint8Array(len);
  b.set(a);
  return b;
}
