/** Checks of command-line values shared by the commands: each problem is a UsageError (exit 2) naming the option. */
import { getNetwork, type NetworkParams } from '../consensus/index.ts';
import { UsageError } from './output.ts';

/**
 * The value of a whole-number option, in [min, max]; anything else is a UsageError naming `--option` and
 * quoting what was given. Such options are declared without a yargs `type`: `type: 'number'` turns "abc"
 * into NaN (which passes `?? default` and most range checks) and keeps nothing of what was typed. Nor with a
 * yargs `default`: yargs gives a bare `--option` its default, so `fallback` stands in for an absent option.
 */
export function wholeNumberOption(
  option: string,
  value: unknown,
  min: number,
  max: number,
  fallback?: number,
): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max) return n;
  if (Array.isArray(value)) throw new UsageError(`--${option} was given ${value.length} times: give it once`);
  const given = typeof value === 'boolean' || value === undefined ? 'no value' : JSON.stringify(value);
  throw new UsageError(`--${option} must be a whole number from ${min} to ${max}, got ${given}`);
}

/** An amount option in units (10^8 to a coin): digits only, as a bigint. */
export function unitsOption(option: string, value: string | number): bigint {
  const s = String(value).trim();
  if (!/^\d+$/.test(s))
    throw new UsageError(
      `--${option} is a whole number of units (10^8 to a coin), got ${JSON.stringify(value)}`,
    );
  return BigInt(s);
}

/** The parameters of a `--network` name. */
export function getNetworkOrUsage(name: string): NetworkParams {
  try {
    return getNetwork(name);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
