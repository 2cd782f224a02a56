/**
 * Acknowledgement tracking. Each source batch with an `ack` gets a token when
 * the runner reads it; the bundle that processes it holds one reference, and
 * every window state that absorbed one of its elements holds another. The
 * source's ack runs when the last holder lets go — i.e. after every output
 * derived from the batch was committed.
 */

/** Read-but-unacknowledged batches of one source, in read order. */
export class UnackedBatches {
  private readonly open = new Set<AckToken>();
  elements = 0;

  get batches(): number {
    return this.open.size;
  }

  /** When the oldest unacknowledged batch was read (epoch ms), undefined when none is. */
  get oldestReadAt(): number | undefined {
    for (const t of this.open) return t.readAt;
    return undefined;
  }

  add(token: AckToken): void {
    this.open.add(token);
    this.elements += token.elements;
  }

  delete(token: AckToken): void {
    if (this.open.delete(token)) this.elements -= token.elements;
  }
}

/** Run-wide ack counters (metrics under "runner/"). */
export class AckLedger {
  inFlight = 0;
  maxInFlight = 0;
  acked = 0;
  failures = 0;

  /** A token for a batch just read from a source. */
  track(ack: () => void | Promise<void>, elements: number, unacked: UnackedBatches): AckToken {
    const token = new AckToken(ack, elements, () => {
      unacked.delete(token);
      this.inFlight--;
      this.acked++;
    });
    unacked.add(token);
    if (++this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
    return token;
  }
}

export class AckToken {
  /** Values in the batch. */
  readonly elements: number;
  /** When the runner read the batch (epoch ms). */
  readonly readAt = Date.now();
  private refs = 1;
  private readonly ack: () => void | Promise<void>;
  private readonly onAcked: () => void;

  constructor(ack: () => void | Promise<void>, elements: number, onAcked: () => void) {
    this.ack = ack;
    this.elements = elements;
    this.onAcked = onAcked;
  }

  retain(): void {
    this.refs++;
  }

  /** Drop one reference; at zero, acknowledge (returns the ack's promise, if any). */
  release(): void | Promise<void> {
    if (--this.refs > 0) return;
    if (this.refs < 0) throw new Error('AckToken released more often than retained');
    this.onAcked();
    return this.ack();
  }
}

/** The tokens whose elements are being processed right now (shared, never mutated). */
export type AckScope = readonly AckToken[];
export const NO_TOKENS: AckScope = Object.freeze([]) as AckScope;
