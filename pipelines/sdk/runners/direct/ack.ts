/**
 * Acknowledgement tracking. Each source batch with an `ack` gets a token; the
 * bundle that read it holds one reference, and every window state that absorbed
 * one of its elements holds another. The source's ack runs when the last holder
 * lets go — i.e. after every output derived from the batch was committed.
 */
export class AckToken {
  private refs = 1;
  private readonly ack: () => void | Promise<void>;
  private readonly onAcked: () => void;

  constructor(ack: () => void | Promise<void>, onAcked: () => void) {
    this.ack = ack;
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
