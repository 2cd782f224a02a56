/**
 * Logging to stderr (stdout is for results, so commands compose in pipes).
 * Level from --verbose/--quiet or SALESFLOW_LOG=debug|info|warn|error|silent.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

let current: LogLevel = (process.env.SALESFLOW_LOG as LogLevel | undefined) ?? 'info';
if (!(current in ORDER)) current = 'info';

export function setLogLevel(level: LogLevel): void {
  current = level;
}

export function logLevel(): LogLevel {
  return current;
}

function emit(level: LogLevel, msg: string): void {
  if (ORDER[level] < ORDER[current]) return;
  const prefix = level === 'info' ? '' : `${level}: `;
  process.stderr.write(`${prefix}${msg}\n`);
}

export const log = {
  debug: (msg: string) => emit('debug', msg),
  info: (msg: string) => emit('info', msg),
  warn: (msg: string) => emit('warn', msg),
  error: (msg: string) => emit('error', msg),
};
