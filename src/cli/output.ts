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

/**
 * The value of a whole-number option, in [min, max]; anything else is a UsageError naming `--option` and
 * quoting what was given. Such options are declared without a yargs `type`: `type: 'number'` turns "abc"
 * into NaN (which passes `?? default` and most range checks) and keeps nothing of what was typed.
 */
export function wholeNumberOption(option: string, value: unknown, min: number, max: number): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max) return n;
  if (Array.isArray(value)) throw new UsageError(`--${option} was given ${value.length} times: give it once`);
  const given = typeof value === 'boolean' ? 'no value' : JSON.stringify(value);
  throw new UsageError(`--${option} must be a whole number from ${min} to ${max}, got ${given}`);
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
