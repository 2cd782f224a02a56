/**
 * Where a command's words go, the same for every command: its result or
 * summary on stdout, always (a script piping or redirecting it keeps a record
 * of what was done), unless --quiet; progress on stderr, on a TTY or with
 * --verbose, never with --quiet. Results that are the command's product
 * (query rows, aggregate reports) print whatever --quiet says.
 */

/** The global --verbose/--quiet flags, as every command's arguments carry them. */
export interface OutputFlags {
  verbose?: boolean;
  quiet?: boolean;
}

/** Whether to draw progress on stderr. */
export function showProgress(flags: OutputFlags, stderr: { isTTY?: boolean } = process.stderr): boolean {
  return flags.quiet !== true && (stderr.isTTY === true || flags.verbose === true);
}

/** Print a command's summary line(s) on stdout, unless --quiet. */
export function printSummary(flags: OutputFlags, text: string): void {
  if (flags.quiet !== true) process.stdout.write(`${text}\n`);
}
