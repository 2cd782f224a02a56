// Re-running the CLI on another Node (the one pinned in devDependencies), both sides
// of it. The launcher stays a faithful stand-in for the child: signals sent to it reach
// the child exactly once, it exits the way the child exited, and the child does not
// outlive it even when it is killed with SIGKILL.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const MARKER = 'SALESFLOW_RELAUNCHED';
// SIGTSTP and SIGCONT are handled apart (job control); SIGKILL/SIGSTOP cannot be caught.
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGWINCH'];

/** Launcher side: run `script args` on `nodePath`, forward signals, then exit as the child did. */
export function relaunch(nodePath, script, args) {
  const child = spawn(nodePath, [script, ...args], {
    // The IPC channel carries no messages: its closing tells the child the launcher is gone.
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    // Own session and process group: a terminal's Ctrl-C (sent to the foreground group)
    // reaches only the launcher, which forwards it once. In the same group the child would
    // get it twice, and the pipeline runner reads a second SIGINT as "cancel, don't drain".
    detached: true,
    env: { ...process.env, [MARKER]: '1' },
  });
  const forward = (signal) => child.kill(signal);
  // Ctrl-Z: the child's group is orphaned (its parent is in another session), so the
  // kernel would discard a SIGTSTP sent to it; stop it with SIGSTOP, then stop ourselves.
  const suspend = () => {
    child.kill('SIGSTOP');
    process.kill(process.pid, 'SIGSTOP');
  };
  const resume = () => child.kill('SIGCONT');
  for (const signal of FORWARDED) process.on(signal, forward);
  process.on('SIGTSTP', suspend);
  process.on('SIGCONT', resume);

  child.on('error', (err) => {
    console.error(`salesflow: could not start ${nodePath}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const s of FORWARDED) process.off(s, forward);
    process.off('SIGTSTP', suspend);
    process.off('SIGCONT', resume);
    if (signal === null) process.exit(code ?? 1);
    // Die of the same signal, so our parent (a shell, a supervisor) sees what happened;
    // the exit code is the shell convention for a signal Node keeps ignoring (SIGPIPE).
    process.kill(process.pid, signal);
    process.exit(128 + (constants.signals[signal] ?? 0));
  });
}

/** True in a process a launcher started (before `followLauncher` clears the marker). */
export function wasRelaunched() {
  return process.env[MARKER] === '1';
}

/**
 * Child side: if a launcher started this process, leave when it goes. A launcher killed
 * outright cannot forward anything; its end closes the IPC channel, which the child takes
 * as SIGTERM (so the command's own SIGTERM handling, if any, still runs).
 */
export function followLauncher() {
  if (!wasRelaunched()) return;
  delete process.env[MARKER]; // not inherited by processes the CLI starts
  if (!process.channel) return;
  process.channel.unref(); // the channel alone must not keep the CLI running
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
