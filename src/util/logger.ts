/**
 * Readable log files: one line per event, ISO-8601 UTC timestamps, level, message, then any fields.
 * pino writes, pino-pretty formats in the same thread (no transport thread per node: 64 nodes would mean
 * 64 extra threads).
 */
import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type prettyFactory from 'pino-pretty';

// Loaded on first use: a node that logs nothing (tests, benchmarks) does not pay for it at start-up.
const requireCjs = createRequire(import.meta.url);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface FileLoggerOptions {
  readonly file: string;
  readonly level: LogLevel;
  /** Bound on every line, e.g. { node: 5000 }. */
  readonly base?: Record<string, unknown>;
}

export function createFileLogger(opts: FileLoggerOptions): Logger {
  const pretty = requireCjs('pino-pretty') as typeof prettyFactory;
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
