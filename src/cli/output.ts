/** Terminal output helpers: the CLI is the only layer that prints (DESIGN.md). */
import chalk from 'chalk';
import Table from 'cli-table3';

/** Exit codes: 0 success, 1 the data is invalid, 2 the command was used wrongly. */
export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

/** A usage problem (bad option, missing file): printed without a stack, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** JSON with bigints as decimal strings. */
export function toJSON(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

export function printJSON(value: unknown): void {
  console.log(toJSON(value));
}

/** A two-column key/value table. */
export function printFields(title: string, rows: ReadonlyArray<readonly [string, string]>): void {
  const table = new Table({
    head: [chalk.bold(title), ''],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const [k, v] of rows) table.push([chalk.dim(k), v]);
  console.log(table.toString());
}

/** 64-hex, zero-padded, as Core prints targets and chainwork. */
export function hex256(n: bigint): string {
  return n.toString(16).padStart(64, '0');
}

export function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

export const ok = (s: string): string => chalk.green(s);
export const bad = (s: string): string => chalk.red(s);
