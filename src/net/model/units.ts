/**
 * Units as users type them (CLI flags, API bodies, topology files): durations in ms or s, bandwidths in bytes
 * (SI and binary prefixes) or bits per second, probabilities as a fraction or a percentage.
 */
import { badValue, shown } from './errors.ts';

const NUMBER = String.raw`(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?`;
const DURATION = new RegExp(String.raw`^(-?)${NUMBER}\s*(ms|s)?$`);

/**
 * A duration in milliseconds: '500ms', '1.5s', '0', or a number (milliseconds). `what` names the setting in the
 * error message ("latency must be ... like 200ms").
 */
export function parseDurationMs(value: string | number, what = 'latency'): number {
  const expected = `${what} must be a duration of 0 or more, like 200ms or 1.5s (a bare number is milliseconds)`;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw badValue(`${expected}, got ${shown(value)}`);
    return value;
  }
  if (typeof value !== 'string') throw badValue(`${expected}, got ${shown(value)}`);
  const m = DURATION.exec(value.trim());
  if (m === null) throw badValue(`${expected}, got ${shown(value)}`);
  const n = Number(`${m[2]!}e${m[3] ?? '0'}`) * (m[4] === 's' ? 1000 : 1);
  if (!Number.isFinite(n) || (m[1] === '-' && n !== 0)) throw badValue(`${expected}, got ${shown(value)}`);
  return n === 0 ? 0 : n;
}

/** Bytes per second of each bandwidth unit: SI (1000) for B, binary (1024) for iB, and bits for bit. */
const BANDWIDTH_UNITS: Readonly<Record<string, number>> = {
  'B/s': 1,
  'kB/s': 1e3,
  'KB/s': 1e3,
  'MB/s': 1e6,
  'GB/s': 1e9,
  'KiB/s': 1024,
  'MiB/s': 1024 ** 2,
  'GiB/s': 1024 ** 3,
  'bit/s': 1 / 8,
  'kbit/s': 1e3 / 8,
  'Mbit/s': 1e6 / 8,
  'Gbit/s': 1e9 / 8,
};
const BANDWIDTH = new RegExp(String.raw`^(-?)${NUMBER}\s*([A-Za-z]+/s)?$`);

/**
 * A bandwidth in bytes per second: '1MB/s', '100kB/s', '512KiB/s', '10Mbit/s', or a number (bytes per second);
 * 'none' or 'unlimited' (or null) is no limit (null). 0 and negative values are refused.
 */
export function parseBandwidth(value: string | number | null, what = 'bandwidth'): number | null {
  const expected =
    `${what} must be more than 0 bytes per second, like 1MB/s, 100kB/s, 512KiB/s or 10Mbit/s ` +
    `(a bare number is bytes per second), or 'unlimited'`;
  if (value === null) return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) throw badValue(`${expected}, got ${shown(value)}`);
    return value;
  }
  if (typeof value !== 'string') throw badValue(`${expected}, got ${shown(value)}`);
  const text = value.trim();
  if (text === 'none' || text === 'unlimited') return null;
  const m = BANDWIDTH.exec(text);
  const unit = m === null ? undefined : m[4] === undefined ? 1 : BANDWIDTH_UNITS[m[4]];
  if (m === null || unit === undefined) throw badValue(`${expected}, got ${shown(value)}`);
  const n = Number(`${m[2]!}e${m[3] ?? '0'}`) * unit;
  if (!Number.isFinite(n) || n <= 0 || m[1] === '-') throw badValue(`${expected}, got ${shown(value)}`);
  return n;
}

const PROBABILITY = new RegExp(String.raw`^(-?)${NUMBER}\s*(%)?$`);

/** A probability in [0, 1]: '1%', '0.01', or a number (a fraction). */
export function parseProbability(value: string | number, what = 'loss'): number {
  const expected = `${what} must be a probability from 0 to 1, like 0.01, or a percentage like 1%`;
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const m = PROBABILITY.exec(value.trim());
    if (m === null) throw badValue(`${expected}, got ${shown(value)}`);
    n = Number(`${m[1]!}${m[2]!}e${m[3] ?? '0'}`) / (m[4] === '%' ? 100 : 1);
  } else throw badValue(`${expected}, got ${shown(value)}`);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw badValue(`${expected}, got ${shown(value)}`);
  return n === 0 ? 0 : n;
}

/** A number for display: at most 6 significant digits, no trailing zeros. */
function trim(n: number): string {
  return String(Number(n.toPrecision(6)));
}

/** '200ms', '0ms', '1.5ms'. */
export function formatDurationMs(ms: number): string {
  return `${trim(ms)}ms`;
}

/** '1MB/s', '100kB/s', '512B/s' (SI prefixes); 'unlimited' for null. parseBandwidth reads it back. */
export function formatBandwidth(bytesPerSecond: number | null): string {
  if (bytesPerSecond === null) return 'unlimited';
  for (const [unit, size] of [
    ['GB/s', 1e9],
    ['MB/s', 1e6],
    ['kB/s', 1e3],
  ] as const) {
    if (bytesPerSecond >= size) return `${trim(bytesPerSecond / size)}${unit}`;
  }
  return `${trim(bytesPerSecond)}B/s`;
}
