/**
 * The bundle lifecycle: a bundle opens (every startBundle), elements flow, then
 * it commits: every finishBundle runs (sinks flush, late panes fire), and only
 * then are the ack tokens the bundle holds released — a source batch is
 * acknowledged once nothing derived from it is left uncommitted.
 */
import { describeError } from '../../../../shared/errors.ts';
import type { AckLedger, AckToken } from './ack.ts';
import { NO_TOKENS } from './ack.ts';
import { type Execution, type Executor, type ExecutorWith, withHook } from './executor.ts';

export class Bundles {
  /** A bundle is open. */
  open = false;
  /** Source elements in the open bundle. */
  elements = 0;
  /** performance.now() when the open bundle started. */
  startedAt = 0;
  /** Bundles committed. */
  committed = 0;
  private tokens: AckToken[] = [];
  private readonly starters: ExecutorWith<'startBundle'>[];
  private readonly finishers: ExecutorWith<'finishBundle'>[];
  private readonly exec: Execution;
  private readonly ledger: AckLedger;
  private readonly warn: (message: string) => void;

  constructor(executors: readonly Executor[], exec: Execution, ledger: AckLedger, warn: (message: string) => void) {
    this.starters = withHook(executors, 'startBundle');
    this.finishers = withHook(executors, 'finishBundle');
    this.exec = exec;
    this.ledger = ledger;
    this.warn = warn;
  }

  /** The open bundle now holds these tokens (released when it commits). */
  adopt(tokens: Iterable<AckToken>): void {
    for (const t of tokens) this.tokens.push(t);
  }

  async start(): Promise<void> {
    this.open = true;
    this.elements = 0;
    this.startedAt = performance.now();
    for (const ex of this.starters) {
      const r = ex.startBundle();
      if (r !== undefined) await r;
    }
  }

  /** finishBundle everywhere, then acknowledge what is fully committed. Resolves false if no bundle was open. */
  async commit(): Promise<boolean> {
    if (!this.open) return false;
    for (const ex of this.finishers) {
      this.exec.scope = NO_TOKENS;
      const r = ex.finishBundle();
      if (r !== undefined) await r;
    }
    this.exec.scope = NO_TOKENS;
    this.open = false;
    this.committed++;
    const tokens = this.tokens;
    this.tokens = [];
    const acks: Promise<void>[] = [];
    for (const t of tokens) {
      try {
        const r = t.release();
        if (r !== undefined) acks.push(r);
      } catch (e) {
        this.ackFailed(e);
      }
    }
    if (acks.length > 0) await Promise.all(acks.map((p) => p.catch((e) => this.ackFailed(e))));
    return true;
  }

  private ackFailed(e: unknown): void {
    // The data is committed; a lost ack only means the source redelivers it (at-least-once).
    this.ledger.failures++;
    this.warn(`ack failed (the source may redeliver): ${describeError(e)}`);
  }
}
