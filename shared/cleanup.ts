/**
 * What a command started and must not leave behind if it is interrupted:
 * temporary files and folders, and things that may still write into them
 * (worker threads). Code that creates one registers it here and unregisters
 * it once it is committed or removed the normal way.
 *
 * On SIGINT, SIGTERM or SIGHUP the CLI (`exitOnSignals`) stops the registered
 * workers, removes the registered paths, and then lets the signal end the
 * process as it would have (so the exit status still says "killed by SIGTERM").
 * Whatever way the process exits, registered paths are removed on `exit` too.
 * Only SIGKILL (or a power cut) can leave a temp behind; those carry the dead
 * process's pid in their names and the next run that writes the same target
 * removes them (stale-temp.ts).
 */
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';

const STOP_TIMEOUT_MS = 5_000;
const paths = new Set<string>();
const stoppers = new Set<() => Promise<void>>();
let exitHookInstalled = false;

function removeAllSync(): void {
  for (const p of paths) {
    try {
      rmSync(p, { recursive: true, force: true });
    } catch {
      // Best effort while exiting.
    }
  }
  paths.clear();
}

/** Remove `path` (file or folder) if the process is interrupted or exits before the returned function is called. */
export function removeOnInterrupt(path: string): () => void {
  if (!exitHookInstalled) {
    process.on('exit', removeAllSync);
    exitHookInstalled = true;
  }
  paths.add(path);
  return () => {
    paths.delete(path);
  };
}

/** Run `stop` (e.g. terminate worker threads that write into a temp folder) before temps are removed on a signal. */
export function stopOnInterrupt(stop: () => Promise<void>): () => void {
  stoppers.add(stop);
  return () => {
    stoppers.delete(stop);
  };
}

/** Stop what was registered, then remove the registered paths. Each step is best effort. */
export async function cleanUpInterrupted(): Promise<void> {
  // A stuck stopper must not keep the process alive: the paths go regardless after a while.
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, STOP_TIMEOUT_MS);
  });
  await Promise.race([Promise.allSettled([...stoppers].map((s) => s())), deadline]);
  clearTimeout(timer);
  stoppers.clear();
  await Promise.allSettled([...paths].map((p) => rm(p, { recursive: true, force: true })));
  paths.clear();
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * For the CLI: on SIGINT/SIGTERM/SIGHUP, clean up and end the process by the
 * same signal. A command that handles a signal itself (e.g. `--watch` stopping
 * after the current pass, shared/stop-signals.ts) has its own listener; then
 * this one stands aside for that signal, and acts once that listener is gone
 * (stop-signals re-raises the second signal after removing its own).
 */
export function exitOnSignals(): void {
  let cleaning = false;
  for (const sig of SIGNALS) {
    const onSignal = () => {
      if (process.listenerCount(sig) > 1) return;
      if (cleaning) return; // a second signal while cleaning: the cleanup is quick, let it finish
      cleaning = true;
      void cleanUpInterrupted().finally(() => {
        process.off(sig, onSignal);
        removeAllSync();
        process.kill(process.pid, sig);
      });
    };
    process.on(sig, onSignal);
  }
}
