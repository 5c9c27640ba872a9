/** Shared bench helpers: a table on screen, JSON on disk (bench/results/<name>.json), progress on stderr. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import chalk from 'chalk';
import Table from 'cli-table3';

export const RESULTS_DIR = new URL('./results/', import.meta.url);

export function writeResults(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const url = new URL(`${name}.json`, RESULTS_DIR);
  writeFileSync(
    url,
    `${JSON.stringify(data, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`,
  );
  return url.pathname;
}

export function printTable(title: string, head: string[], rows: Array<Array<string | number>>): void {
  const table = new Table({ head: head.map((h) => chalk.bold(h)), style: { head: [], border: [] } });
  for (const r of rows) table.push(r.map(String));
  console.log(chalk.bold.cyan(`\n${title}`));
  console.log(table.toString());
}

/** One-line progress on stderr when it is a terminal, a plain line otherwise. */
export function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${chalk.dim(message)}`);
  else process.stderr.write(`${message}\n`);
}

export function clearProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export function machine(): { node: string; cpus: number; cpu: string; loadavg: number[] } {
  return {
    node: process.version,
    cpus: availableParallelism(),
    cpu: cpus()[0]?.model ?? process.arch,
    // The 1, 5 and 15 minute load averages: the machine is shared, so figures are only as quiet as this.
    loadavg: loadavg().map((l) => Number(l.toFixed(2))),
  };
}

/** The 1-minute load average, for progress lines and notes. */
export function load1(): string {
  return loadavg()[0]!.toFixed(2);
}
