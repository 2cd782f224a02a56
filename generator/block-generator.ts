/**
 * One thread's generator: the model and encoding built once, then any work unit
 * rendered into a caller-supplied buffer. Used by each worker thread and by the
 * in-process path (--workers 0, tests).
 */
import { buildSalesModel, type SalesModel } from './model.ts';
import type { ResolvedGenOptions } from './options.ts';
import type { WorkUnit } from './plan.ts';
import { blockStream } from './prng.ts';
import { buildRowEncoding, type RowEncoding } from './row-encoding.ts';
import { blockBufferBytes, writeBlock } from './write-block.ts';

export class BlockGenerator {
  readonly model: SalesModel;
  readonly encoding: RowEncoding;
  private readonly seed: number;

  constructor(o: ResolvedGenOptions) {
    this.seed = o.seed;
    this.model = buildSalesModel(o);
    this.encoding = buildRowEncoding(
      o.format,
      o.domains.categories,
      o.domains.regions,
      o.startDay,
      o.endDay,
      o.customers,
    );
  }

  /** Bytes a buffer needs to hold any unit of `rows` rows. */
  bufferBytes(rows: number): number {
    return blockBufferBytes(this.encoding, rows);
  }

  /**
   * Render a unit into `buffer` if it is big enough (buffers are recycled
   * between units), else into a new one; returns the buffer used and the bytes written.
   */
  renderInto(unit: WorkUnit, buffer?: ArrayBuffer): { buffer: ArrayBuffer; length: number } {
    const need = this.bufferBytes(unit.rows);
    const out = buffer !== undefined && buffer.byteLength >= need ? buffer : new ArrayBuffer(need);
    return { buffer: out, length: this.render(unit, new Uint8Array(out)) };
  }

  /** Render a unit into `out` (sized with bufferBytes); returns the bytes written. */
  render(unit: WorkUnit, out: Uint8Array): number {
    return writeBlock(
      this.model,
      this.encoding,
      blockStream(this.seed, unit.batch, unit.block),
      unit.firstRow,
      unit.rows,
      out,
    );
  }
}
