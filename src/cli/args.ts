/** Checks of command-line values shared by the commands: each problem is a UsageError (exit 2) naming the option. */
import { getNetwork, MAX_MONEY, type NetworkParams } from '../consensus/index.ts';
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

const UNITS_PER_COIN = 100_000_000n;

/**
 * An amount option: coins with a decimal point as Bitcoin Core writes them (`1.5`, `0.0001`: at most 8
 * decimals), or units with a `u` suffix (`150000000u`); a bare whole number is units, as it always was here.
 * Exact: parsed as decimal digits, never through a float.
 */
export function amountOption(option: string, value: string | number): bigint {
  const amount = parseAmount(option, String(value).trim(), value);
  if (amount > MAX_MONEY)
    throw new UsageError(`--${option} ${String(value)}: more than the 21,000,000 coins there can ever be`);
  return amount;
}

function parseAmount(option: string, s: string, value: string | number): bigint {
  const units = /^(\d+)u?$/.exec(s);
  if (units) return BigInt(units[1]!);
  const coins = /^(\d*)\.(\d+)$/.exec(s);
  if (coins && (coins[1] !== '' || coins[2] !== '')) {
    if (coins[2]!.length > 8)
      throw new UsageError(
        `--${option} ${s}: a coin has 8 decimals (1 unit = 0.00000001), got ${coins[2]!.length}`,
      );
    return BigInt(coins[1] || '0') * UNITS_PER_COIN + BigInt(coins[2]!.padEnd(8, '0'));
  }
  throw new UsageError(
    `--${option} is coins with a decimal point (1.5) or units (150000000u, or a bare whole number), got ${JSON.stringify(value)}`,
  );
}

/** The parameters of a `--network` name. */
export function getNetworkOrUsage(name: string): NetworkParams {
  try {
    return getNetwork(name);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
