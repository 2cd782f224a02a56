/**
 * SIGINT/SIGTERM for long-running commands: the first signal asks the work to
 * stop gracefully (finish what it has, commit, exit 0); the second stops it now.
 * Without an `immediate` handler the second signal has its usual effect (the
 * process ends by it). After the second signal the handlers are removed, so a
 * third always ends the process, even if the immediate stop hangs.
 *
 * Commands install this; libraries take an AbortSignal or offer drain()/cancel().
 */

export interface StopSignalHandlers {
  /** First signal: stop gracefully. */
  graceful(signal: NodeJS.Signals): void;
  /** Second signal: stop now. Default: the signal's own effect (the process ends). */
  immediate?(signal: NodeJS.Signals): void;
}

export interface StopSignals {
  /** Signals received so far. */
  readonly received: number;
  /** Remove the handlers (safe to call more than once). */
  dispose(): void;
}

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

export function handleStopSignals(handlers: StopSignalHandlers): StopSignals {
  let received = 0;
  const dispose = () => {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  };
  function onSignal(signal: NodeJS.Signals): void {
    received++;
    if (received === 1) {
      handlers.graceful(signal);
      return;
    }
    dispose();
    if (handlers.immediate !== undefined) handlers.immediate(signal);
    else process.kill(process.pid, signal);
  }
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  return {
    get received() {
      return received;
    },
    dispose,
  };
}
