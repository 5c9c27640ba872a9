/**
 * Readable log files: one line per event, ISO-8601 UTC timestamps, level, message, then any fields.
 * pino writes, pino-pretty formats in the same thread (no transport thread per node: 64 nodes would mean
 * 64 extra threads).
 */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface FileLoggerOptions {
  readonly file: string;
  readonly level: LogLevel;
  /** Bound on every line, e.g. { node: 5000 }. */
  readonly base?: Record<string, unknown>;
}

export function createFileLogger(opts: FileLoggerOptions): Logger {
  const stream = pretty({
    destination: opts.file,
    mkdir: true,
    append: true,
    colorize: false,
    singleLine: true,
    translateTime: "UTC:yyyy-mm-dd'T'HH:MM:ss.l'Z'",
    ignore: 'pid,hostname',
  });
  return pino({ level: opts.level, base: opts.base ?? null }, stream);
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
