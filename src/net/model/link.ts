/** One link's settings: read from an API body or a file's `key=value` fields, checked, and shown. */
import type { LinkSettings } from './types.ts';
import { badValue, shown } from './errors.ts';
import { formatLatency, latencyProblem, parseLatency } from './latency.ts';
import { formatBandwidth, parseBandwidth, parseDurationMs, parseProbability } from './units.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The settings a link body or file line may name, and the LinkSettings field each sets. */
export const LINK_FIELDS = ['latency', 'bandwidth', 'loss', 'jitter'] as const;
export type LinkField = (typeof LINK_FIELDS)[number];

function isLinkField(key: string): key is LinkField {
  return (LINK_FIELDS as readonly string[]).includes(key);
}

/** Sets one field from a user's value (a string with units, or a number in ms, bytes/s or a fraction). */
function setField(into: Mutable<Partial<LinkSettings>>, field: LinkField, value: unknown): void {
  const text = (v: unknown): string | number => {
    if (typeof v === 'string' || typeof v === 'number') return v;
    throw badValue(`${field} must be a string with units or a number, got ${shown(v)}`);
  };
  switch (field) {
    case 'latency':
      into.latency = parseLatency(text(value));
      return;
    case 'bandwidth':
      into.bandwidth = value === null ? null : parseBandwidth(text(value));
      return;
    case 'loss':
      into.loss = parseProbability(text(value));
      return;
    case 'jitter':
      into.jitterMs = parseDurationMs(text(value), 'jitter');
      return;
  }
}

/** Keys of a link body that are not settings: the link's ends, which the caller reads. */
const ENDS = new Set(['from', 'to']);

/**
 * An API body's link settings: `latency` ('500ms', 'pareto:200ms' or a number of ms), `bandwidth` ('100kB/s',
 * a number of bytes per second, or null / 'unlimited'), `loss` ('5%' or a fraction), `jitter` ('2ms' or a
 * number of ms; `jitterMs` too, as GET /network shows it). `from` and `to` are left to the caller; any other
 * field is refused.
 */
export function linkSettingsFrom(body: unknown): Partial<LinkSettings> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badValue(`expected a JSON object with latency, bandwidth, loss or jitter, got ${shown(body)}`);
  const out: Mutable<Partial<LinkSettings>> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (ENDS.has(key)) continue;
    if (key === 'jitterMs') setField(out, 'jitter', value);
    else if (isLinkField(key)) setField(out, key, value);
    else throw badValue(`unknown link setting ${shown(key)} (expected latency, bandwidth, loss or jitter)`);
  }
  return out;
}

/**
 * A file line's `key=value` settings ('latency=500ms bandwidth=100kB/s loss=5% jitter=2ms'); `where` starts each
 * error message ("line 3").
 */
export function linkSettingsFromFields(fields: readonly string[], where: string): Partial<LinkSettings> {
  const out: Mutable<Partial<LinkSettings>> = {};
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = eq < 0 ? field : field.slice(0, eq);
    if (eq < 0 || !isLinkField(key))
      throw badValue(
        `${where}: expected latency=, bandwidth=, loss= or jitter= after the two ports, got ${shown(field)}`,
      );
    try {
      setField(out, key, field.slice(eq + 1));
    } catch (e) {
      throw badValue(`${where}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** What is wrong with a (partial) LinkSettings from JSON, if anything. */
export function linkProblem(s: Partial<LinkSettings>): string | undefined {
  if (s.latency !== undefined) {
    const p = typeof s.latency === 'object' && s.latency !== null ? latencyProblem(s.latency) : 'latency';
    if (p !== undefined) return p;
  }
  if (s.bandwidth !== undefined && s.bandwidth !== null && !(Number.isFinite(s.bandwidth) && s.bandwidth > 0))
    return 'bandwidth must be null or more than 0 bytes per second';
  if (s.loss !== undefined && !(Number.isFinite(s.loss) && s.loss >= 0 && s.loss <= 1))
    return 'loss must be a probability from 0 to 1';
  if (s.jitterMs !== undefined && !(Number.isFinite(s.jitterMs) && s.jitterMs >= 0))
    return 'jitterMs must be 0 or more';
  return undefined;
}

/** The defined fields of `over` laid over `base`. */
export function overlay(base: LinkSettings, over: Partial<LinkSettings>): LinkSettings {
  return {
    latency: over.latency ?? base.latency,
    bandwidth: over.bandwidth === undefined ? base.bandwidth : over.bandwidth,
    loss: over.loss ?? base.loss,
    jitterMs: over.jitterMs ?? base.jitterMs,
  };
}

/** Only the settings fields of a LinkOverride-like object, the undefined ones left out. */
export function settingsOnly(s: Partial<LinkSettings>): Partial<LinkSettings> {
  const out: Mutable<Partial<LinkSettings>> = {};
  if (s.latency !== undefined) out.latency = s.latency;
  if (s.bandwidth !== undefined) out.bandwidth = s.bandwidth;
  if (s.loss !== undefined) out.loss = s.loss;
  if (s.jitterMs !== undefined) out.jitterMs = s.jitterMs;
  return out;
}

/** A link's settings for display: GET /network, the results file, the live table. */
export function describeLink(s: LinkSettings): {
  latency: string;
  bandwidth: string | null;
  loss: number;
  jitterMs: number;
} {
  return {
    latency: formatLatency(s.latency),
    bandwidth: s.bandwidth === null ? null : formatBandwidth(s.bandwidth),
    loss: s.loss,
    jitterMs: s.jitterMs,
  };
}
