/**
 * Readable log files: one line per event, ISO-8601 UTC timestamps, level, message, then any fields.
 * pino writes JSON lines; pino-pretty formats them in the thread that writes the file (no transport thread per
 * node: 64 nodes would mean 64 extra threads). Simulator nodes do not format at all: their pino sends each line
 * to the manager (createLineLogger), which formats every node's lines with one formatter into that node's file
 * (createLogSink), so no node loads pino-pretty (see docs/decisions.md, "What else a node does not pay at
 * start-up").
 */
import { mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';
import type prettyFactory from 'pino-pretty';
import type { PrettyOptions } from 'pino-pretty';

// Loaded on first use: a process that logs nothing (tests, benchmarks) does not pay for it at start-up.
const requireCjs = createRequire(import.meta.url);

const PRETTY: PrettyOptions = {
  colorize: false,
  singleLine: true,
  translateTime: "UTC:yyyy-mm-dd'T'HH:MM:ss.l'Z'",
  ignore: 'pid,hostname',
};

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface FileLoggerOptions {
  readonly file: string;
  readonly level: LogLevel;
  /** Bound on every line, e.g. { node: 5000 }. */
  readonly base?: Record<string, unknown>;
  /** The file cannot be opened or written (said once; later lines are dropped). */
  readonly onError: (err: Error) => void;
}

export interface FileLogger {
  readonly logger: Logger;
  /** Writes what is buffered and closes the file; later lines are dropped. */
  end(): Promise<void>;
}

/**
 * A logger whose lines go to `file` through a LogSink, which opens the file at once: with a destination that
 * opens it asynchronously, a process that exits first (a busy port) dies in its exit hook with "sonic boom is
 * not ready yet".
 */
export function createFileLogger(opts: FileLoggerOptions): FileLogger {
  const sink = createLogSink(opts.file, opts.onError);
  const logger = createLineLogger({
    level: opts.level,
    ...(opts.base ? { base: opts.base } : {}),
    write: (line) => sink.write(line),
  });
  return { logger, end: () => sink.end() };
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A logger whose JSON lines (newline-terminated) go to `write`; a simulator node ships them to the manager. */
export function createLineLogger(opts: {
  readonly level: LogLevel;
  readonly base?: Record<string, unknown>;
  readonly write: (line: string) => void;
}): Logger {
  return pino({ level: opts.level, base: opts.base ?? null }, { write: opts.write });
}

/** A log file fed with pino's JSON lines (createFileLogger writes through one too). */
export interface LogSink {
  /** One JSON line from pino; a line that is not JSON is written as it is. */
  write(line: string): void;
  /** Writes what is buffered and closes the file. */
  end(): Promise<void>;
}

let formatLine: ((line: string) => string) | undefined;

/** `onError`: the file cannot be opened or written (said once; later lines are dropped). */
export function createLogSink(file: string, onError: (err: Error) => void): LogSink {
  let fd: number;
  try {
    mkdirSync(dirname(file), { recursive: true });
    fd = openSync(file, 'a');
  } catch (err) {
    onError(err as Error);
    return { write: () => undefined, end: () => Promise.resolve() };
  }
  formatLine ??= (
    requireCjs('pino-pretty') as { prettyFactory: typeof prettyFactory.prettyFactory }
  ).prettyFactory(PRETTY) as (line: string) => string;
  const format = formatLine;
  const dest = pino.destination({ fd, sync: false });
  let failed = false;
  let closed = false;
  const finished = new Promise<void>((resolve) => {
    dest.once('close', () => resolve());
    dest.on('error', (err: Error) => {
      if (!failed) onError(err);
      failed = true;
      dest.destroy();
      resolve();
    });
  });
  return {
    write: (line) => {
      if (!failed && !closed) dest.write(format(line));
    },
    end: () => {
      if (!closed && !failed) dest.end();
      closed = true;
      return finished;
    },
  };
}
