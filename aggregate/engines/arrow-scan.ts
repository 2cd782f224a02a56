/**
 * The arrow engine's work, independent of threads: scan one share of one
 * Parquet file (some of its row groups), reading only the columns the queries
 * need, one row group at a time (constant memory), and fold it into exact
 * per-group totals. Amounts are integer cents; running sums stay exact doubles
 * and spill into a BigInt before they could pass 2^53.
 */
import { openAsBlob } from 'node:fs';
import { type Data, type RecordBatch, type Schema, tableFromIPC } from 'apache-arrow';
import { initParquetWasm, ParquetFile, type WasmModule } from '../../shared/parquet-wasm.ts';
import { parseIsoDate } from '../../shared/dates.ts';
import { InputError } from '../../shared/errors.ts';
import { COLUMN_NAMES, type ColumnName, columnSpec } from '../../shared/schema/columns.ts';
import { arrowColumnKind } from '../../shared/schema/arrow.ts';
import { checkFileColumns } from '../../shared/schema/file-columns.ts';
import type { GroupTotals } from '../groups.ts';
import { partitionsMatch, partitionValueMatches } from '../lake.ts';
import { type AggregateQuery, type Filter, filtersKey, type GroupKey, queryColumns } from '../query.ts';
import { DateCoder, dateLabel, Int64Coder, int64Halves, LabelCodes, StringCoder } from './arrow-codes.ts';

export interface ScanTask {
  path: string;
  partitions: Partial<Record<ColumnName, string>>;
  /** This task reads row groups g with g % shards === shard. */
  shard: number;
  shards: number;
}

/** Running sums spill to BigInt beyond this: adding one more NUMERIC(12,2) amount (< 2^40) stays exact. */
const SPILL = 2 ** 53 - 2 ** 40;

type Coder = StringCoder | DateCoder | Int64Coder;

interface KeySlot {
  id: string;
  key: GroupKey;
  codes: LabelCodes;
  coder: Coder;
}

class Accumulator {
  count: number[] = [];
  sum: number[] = [];
  big: bigint[] = [];
  min: number[] = [];
  max: number[] = [];
  /** Per group: the code of each key (multi-key queries only). */
  keyCodes: number[][] = [];
  composite = new Map<string, number>();

  ensure(g: number): void {
    while (this.count.length <= g) {
      this.count.push(0);
      this.sum.push(0);
      this.big.push(0n);
      this.min.push(Number.POSITIVE_INFINITY);
      this.max.push(Number.NEGATIVE_INFINITY);
    }
  }
}

export class Scanner {
  private readonly slots = new Map<string, KeySlot>();
  private readonly accs: Accumulator[];
  private readonly readColumnsFor: ColumnName[];
  readonly queries: readonly AggregateQuery[];

  /** `wasmModule`: parquet-wasm compiled by another thread (else compiled here). */
  constructor(queries: readonly AggregateQuery[], wasmModule?: WasmModule) {
    initParquetWasm(wasmModule);
    this.queries = queries;
    this.accs = queries.map(() => new Accumulator());
    for (const q of queries) for (const k of q.by) this.slot(k);
    this.readColumnsFor = [...new Set(queries.flatMap(queryColumns))];
  }

  private readonly buffers = new Map<string, Float64Array | Int32Array>();

  /** Per-row scratch arrays reused across row groups (fewer big allocations, less GC). */
  private scratch<T extends Float64Array | Int32Array>(name: string, n: number, Type: { new (n: number): T }): T {
    let buf = this.buffers.get(name) as T | undefined;
    if (buf === undefined || buf.length < n) {
      buf = new Type(n);
      this.buffers.set(name, buf);
    }
    return buf.subarray(0, n) as T;
  }

  private slot(key: GroupKey): KeySlot {
    const id = `${key.column}:${key.datePart ?? ''}`;
    let s = this.slots.get(id);
    if (s === undefined) {
      const codes = new LabelCodes();
      const type = columnSpec(key.column).type;
      const coder =
        type === 'DATE'
          ? new DateCoder(codes, key.datePart)
          : type === 'INT64'
            ? new Int64Coder(codes)
            : new StringCoder(codes);
      s = { id, key, codes, coder };
      this.slots.set(id, s);
    }
    return s;
  }

  /** Scan one task. Returns rows read. */
  async scan(task: ScanTask): Promise<number> {
    const applies = this.queries.map((q) => partitionsMatch(task.partitions, q.where));
    if (!applies.some(Boolean)) return 0;
    const file = await openParquet(task.path);
    try {
      // Every sales column not supplied by the folders must be in the file, with the right type.
      checkSchema(task, file.schema());
      const toRead = this.readColumnsFor.filter((c) => task.partitions[c] === undefined);
      const meta = file.metadata();
      const groups = meta.numRowGroups();
      let rows = 0;
      for (let g = task.shard; g < groups; g += task.shards) {
        const rowCount = meta.rowGroup(g).numRows();
        if (rowCount === 0) continue;
        let wasmTable: Awaited<ReturnType<ParquetFile['read']>>;
        try {
          wasmTable = await file.read({ columns: toRead, rowGroups: [g], batchSize: rowCount });
        } catch (err) {
          throw new InputError(`cannot read row group ${g}: ${errorText(err)}`, { file: task.path, step: 'read' }, err);
        }
        const table = tableFromIPC(wasmTable.intoIPCStream());
        for (const batch of table.batches) {
          this.fold(batch, task, applies);
          rows += batch.numRows;
        }
      }
      return rows;
    } finally {
      file.free();
    }
  }

  private fold(batch: RecordBatch, task: ScanTask, applies: readonly boolean[]): void {
    const n = batch.numRows;
    const columnData = (c: ColumnName): Data => {
      const d = batch.getChild(c)!.data[0];
      if (d.nullCount > 0) throw new InputError(`column ${c} has null values`, { file: task.path, field: c });
      return d;
    };
    const amounts = readCents(columnData('sale_amount'), this.scratch('amounts', n, Float64Array));
    const codeCache = new Map<string, Int32Array | number>();
    const codesOf = (slot: KeySlot): Int32Array | number => {
      let c = codeCache.get(slot.id);
      if (c === undefined) {
        const pv = task.partitions[slot.key.column];
        if (pv !== undefined) {
          const label = slot.key.datePart === undefined ? pv : dateLabel(parseIsoDate(pv), slot.key.datePart);
          c = slot.codes.code(label);
        } else {
          const out = this.scratch(`codes:${slot.id}`, n, Int32Array);
          slot.coder.decode(columnData(slot.key.column), out);
          c = out;
        }
        codeCache.set(slot.id, c);
      }
      return c;
    };
    const maskCache = new Map<string, Uint8Array | null>();
    for (let qi = 0; qi < this.queries.length; qi++) {
      if (!applies[qi]) continue;
      const q = this.queries[qi];
      const rowFilters = q.where.filter((f) => task.partitions[f.column] === undefined);
      const maskId = filtersKey(rowFilters);
      let mask = maskCache.get(maskId);
      if (mask === undefined) {
        mask = rowFilters.length === 0 ? null : this.mask(rowFilters, n, amounts, columnData, codesOf);
        maskCache.set(maskId, mask);
      }
      const keyCodes = q.by.map((k) => codesOf(this.slot(k)));
      this.accumulate(this.accs[qi], keyCodes, amounts, mask, n);
    }
  }

  private mask(
    filters: readonly Filter[],
    n: number,
    amounts: Float64Array,
    columnData: (c: ColumnName) => Data,
    codesOf: (slot: KeySlot) => Int32Array | number,
  ): Uint8Array {
    const mask = new Uint8Array(n).fill(1);
    for (const f of filters) {
      const type = columnSpec(f.column).type;
      if (type === 'STRING') {
        const slot = this.slot({ column: f.column, label: f.column });
        const codes = codesOf(slot) as Int32Array;
        const verdict: (boolean | undefined)[] = [];
        for (let i = 0; i < n; i++) {
          const c = codes[i];
          let ok = verdict[c];
          if (ok === undefined) {
            ok = partitionValueMatches(f, slot.codes.labels[c]);
            verdict[c] = ok;
          }
          if (!ok) mask[i] = 0;
        }
        continue;
      }
      if (type === 'INT64') {
        this.maskInt64(f, columnData(f.column), n, mask);
        continue;
      }
      let values: ArrayLike<number>;
      if (type === 'NUMERIC') values = amounts;
      else {
        const d = columnData(f.column);
        values = (d.values as Int32Array).subarray(d.offset, d.offset + n);
      }
      const targets = f.values.map((v) => v.num);
      const t = targets[0];
      for (let i = 0; i < n; i++) {
        const x = values[i];
        let ok: boolean;
        switch (f.op) {
          case '=':
            ok = targets.length === 1 ? x === t : targets.includes(x);
            break;
          case '!=':
            ok = targets.length === 1 ? x !== t : !targets.includes(x);
            break;
          case '<':
            ok = x < t;
            break;
          case '<=':
            ok = x <= t;
            break;
          case '>':
            ok = x > t;
            break;
          case '>=':
            ok = x >= t;
            break;
        }
        if (!ok) mask[i] = 0;
      }
    }
    return mask;
  }

  /** An INT64 filter, exact at any size: rows compared to the targets word by word (high signed, low unsigned). */
  private maskInt64(f: Filter, d: Data, n: number, mask: Uint8Array): void {
    const { lo, hi } = int64Halves(d);
    const targets = f.values.map((v) => ({
      hi: Number(BigInt.asIntN(32, v.int! >> 32n)),
      lo: Number(BigInt.asUintN(32, v.int!)),
    }));
    const cmp = (k: number, t: { hi: number; lo: number }): number => {
      const h = hi[k + 1];
      if (h !== t.hi) return h < t.hi ? -1 : 1;
      const l = lo[k];
      return l === t.lo ? 0 : l < t.lo ? -1 : 1;
    };
    for (let i = 0; i < n; i++) {
      const k = 2 * (d.offset + i);
      let ok: boolean;
      switch (f.op) {
        case '=':
          ok = targets.some((t) => cmp(k, t) === 0);
          break;
        case '!=':
          ok = targets.every((t) => cmp(k, t) !== 0);
          break;
        case '<':
          ok = cmp(k, targets[0]) < 0;
          break;
        case '<=':
          ok = cmp(k, targets[0]) <= 0;
          break;
        case '>':
          ok = cmp(k, targets[0]) > 0;
          break;
        case '>=':
          ok = cmp(k, targets[0]) >= 0;
          break;
      }
      if (!ok) mask[i] = 0;
    }
  }

  private accumulate(
    acc: Accumulator,
    keyCodes: (Int32Array | number)[],
    amounts: Float64Array,
    mask: Uint8Array | null,
    n: number,
  ): void {
    if (keyCodes.length === 1) {
      const k = keyCodes[0];
      if (typeof k === 'number') this.accumulateOne(acc, k, amounts, mask, n);
      else this.accumulateCoded(acc, k, amounts, mask, n);
      return;
    }
    // Several keys: a composite group id per distinct code combination, then the coded loop.
    const groups = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (mask !== null && mask[i] === 0) continue;
      const codes = keyCodes.map((kc) => (typeof kc === 'number' ? kc : kc[i]));
      const id = codes.join(',');
      let g = acc.composite.get(id);
      if (g === undefined) {
        g = acc.keyCodes.length;
        acc.keyCodes.push(codes);
        acc.composite.set(id, g);
      }
      groups[i] = g;
    }
    this.accumulateCoded(acc, groups, amounts, mask, n);
  }

  /** The hot loop: one group code per row, accumulators indexed by code. */
  private accumulateCoded(
    acc: Accumulator,
    codes: Int32Array,
    amounts: Float64Array,
    mask: Uint8Array | null,
    n: number,
  ) {
    let maxCode = 0;
    for (let i = 0; i < n; i++) if (codes[i] > maxCode) maxCode = codes[i];
    acc.ensure(maxCode);
    const { count, sum, big, min, max } = acc;
    for (let i = 0; i < n; i++) {
      if (mask !== null && mask[i] === 0) continue;
      const g = codes[i];
      const c = amounts[i];
      count[g]++;
      let s = sum[g] + c;
      if (s > SPILL || s < -SPILL) {
        big[g] += BigInt(s);
        s = 0;
      }
      sum[g] = s;
      if (c < min[g]) min[g] = c;
      if (c > max[g]) max[g] = c;
    }
  }

  /** Every row in one group (a partition value from the path): no per-row lookups. */
  private accumulateOne(acc: Accumulator, g: number, amounts: Float64Array, mask: Uint8Array | null, n: number) {
    acc.ensure(g);
    let rows = 0;
    let s = acc.sum[g];
    let lo = acc.min[g];
    let hi = acc.max[g];
    for (let i = 0; i < n; i++) {
      if (mask !== null && mask[i] === 0) continue;
      const c = amounts[i];
      rows++;
      s += c;
      if (s > SPILL || s < -SPILL) {
        acc.big[g] += BigInt(s);
        s = 0;
      }
      if (c < lo) lo = c;
      if (c > hi) hi = c;
    }
    acc.count[g] += rows;
    acc.sum[g] = s;
    acc.min[g] = lo;
    acc.max[g] = hi;
  }

  /** Exact totals per query, labels resolved. */
  results(): GroupTotals[][] {
    return this.queries.map((q, qi) => {
      const acc = this.accs[qi];
      const slots = q.by.map((k) => this.slot(k));
      const out: GroupTotals[] = [];
      for (let g = 0; g < acc.count.length; g++) {
        if (acc.count[g] === 0) continue;
        const keys =
          slots.length === 1 ? [slots[0].codes.labels[g]] : acc.keyCodes[g].map((c, ki) => slots[ki].codes.labels[c]);
        out.push({
          keys,
          count: BigInt(acc.count[g]),
          sum: acc.big[g] + BigInt(acc.sum[g]),
          min: BigInt(acc.min[g]),
          max: BigInt(acc.max[g]),
        });
      }
      return out;
    });
  }
}

async function openParquet(path: string): Promise<ParquetFile> {
  try {
    return await ParquetFile.fromFile(await openAsBlob(path));
  } catch (err) {
    throw new InputError(`not a readable Parquet file: ${errorText(err)}`, { file: path, step: 'read schema' }, err);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Check the file's columns (all sales columns not in the path); returns the names it has. */
function checkSchema(task: ScanTask, wasmSchema: ReturnType<ParquetFile['schema']>): void {
  const schema: Schema = tableFromIPC(wasmSchema.intoIPCStream()).schema;
  checkFileColumns(
    task.path,
    COLUMN_NAMES.filter((c) => task.partitions[c] === undefined),
    schema.fields.map((f) => [f.name, arrowColumnKind(f.type)] as const),
  );
}

/** DECIMAL(_, 2) values → cents as exact doubles (low 64 bits; NUMERIC(12,2) needs 40). */
function readCents(d: Data, out: Float64Array): Float64Array {
  const n = d.length;
  const stride = (d.type as unknown as { bitWidth: number }).bitWidth / 32;
  const v = d.values as ArrayBufferView;
  const lo = new Uint32Array(v.buffer, v.byteOffset, v.byteLength >>> 2);
  const hi = new Int32Array(v.buffer, v.byteOffset, v.byteLength >>> 2);
  let k = d.offset * stride;
  for (let i = 0; i < n; i++, k += stride) out[i] = lo[k] + hi[k + 1] * 4294967296;
  return out;
}
