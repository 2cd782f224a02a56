/**
 * A FIFO with a capacity: put() waits while full, so a fast producer (a source)
 * is slowed to the pace of the consumer (the pipeline) and memory stays bounded.
 */
export class BoundedQueue<T> {
  readonly capacity: number;
  private readonly items: T[] = [];
  private readonly takers: ((item: T | undefined) => void)[] = [];
  private readonly putters: (() => void)[] = [];
  private closed = false;
  /** Largest number of items ever held (for tests and metrics). */
  highWater = 0;

  constructor(capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`queue capacity must be >= 1, got ${capacity}`);
    this.capacity = capacity;
  }

  get size(): number {
    return this.items.length;
  }

  /** Resolves once the item is queued (false if the queue was closed: the item is dropped). */
  async put(item: T): Promise<boolean> {
    while (!this.closed && this.items.length >= this.capacity) {
      await new Promise<void>((resolve) => this.putters.push(resolve));
    }
    if (this.closed) return false;
    const taker = this.takers.shift();
    if (taker !== undefined) taker(item);
    else {
      this.items.push(item);
      if (this.items.length > this.highWater) this.highWater = this.items.length;
    }
    return true;
  }

  /** The next item; undefined once closed and empty. */
  take(): Promise<T | undefined> {
    if (this.items.length > 0) {
      const item = this.items.shift() as T;
      this.putters.shift()?.();
      return Promise.resolve(item);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.takers.push(resolve));
  }

  /** Wake everyone: pending puts fail, takes drain what is left then get undefined. */
  close(): void {
    this.closed = true;
    for (const p of this.putters.splice(0)) p();
    for (const t of this.takers.splice(0)) t(undefined);
  }
}
