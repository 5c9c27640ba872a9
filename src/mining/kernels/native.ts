/**
 * The `native` kernel: double SHA-256 with the Intel SHA extensions in a C N-API addon (native/, the
 * optional dependency `chainsim-native`). It is optional: `npm ci` builds it when a C toolchain is present
 * and leaves it unbuilt otherwise, so this module reports why it is unavailable instead of failing to
 * import. It prints nothing; the caller decides whether and how to warn.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { checkScanArgs, type Kernel, type ScanResult } from './types.ts';

/** The addon's exports (native/src/addon.c). */
interface NativeAddon {
  hasSha(): boolean;
  /** The lowest matching nonce, or -1. */
  scan(header: Uint8Array, target: Uint8Array, startNonce: number, count: number): number;
}

export type NativeAvailability = { available: true } | { available: false; reason: string };

const NOT_BUILT = 'not built (no compiler at install time?)';
const REBUILD_HINT = 'with a C compiler, make and python3 installed, `npm rebuild chainsim-native` builds it';

type Loaded = { ok: true; addon: NativeAddon } | { ok: false; reason: string };

let loaded: Loaded | undefined;

function isNativeAddon(x: unknown): x is NativeAddon {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o['hasSha'] === 'function' && typeof o['scan'] === 'function';
}

/** First line of native/build/BUILD-FAILED.txt, written by native/build.mjs when the build failed. */
function recordedBuildFailure(packageDir: string): string | undefined {
  const file = join(packageDir, 'build', 'BUILD-FAILED.txt');
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8').split('\n', 1)[0]?.trim() || undefined;
}

/** Where npm linked the optional dependency, or undefined when it is not installed. */
function findPackageDir(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('chainsim-native/package.json'));
  } catch {
    return undefined;
  }
}

/** Loads the addon from the chainsim-native package in packageDir, or says why it cannot. */
function probe(packageDir: string | undefined): Loaded {
  if (packageDir === undefined) {
    return {
      ok: false,
      reason: `${NOT_BUILT}: the optional dependency chainsim-native is not installed (installed with --omit=optional?)`,
    };
  }
  const file = join(packageDir, 'build', 'Release', 'chainsim_native.node');
  if (!existsSync(file)) {
    const failure = recordedBuildFailure(packageDir);
    const detail = failure
      ? `${failure} (log: ${join(packageDir, 'build', 'BUILD-FAILED.txt')})`
      : `${file} is missing (install scripts skipped?)`;
    return { ok: false, reason: `${NOT_BUILT}: ${detail}; ${REBUILD_HINT}` };
  }
  let addon: unknown;
  try {
    addon = createRequire(import.meta.url)(file);
  } catch (err) {
    return {
      ok: false,
      reason: `failed to load ${file}: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  if (!isNativeAddon(addon)) return { ok: false, reason: `${file} does not export hasSha() and scan()` };
  if (!addon.hasSha()) {
    return { ok: false, reason: 'CPU lacks SHA extensions (CPUID leaf 7, EBX bit 29 is clear)' };
  }
  return { ok: true, addon };
}

/**
 * @internal For tests: the availability of the addon in a given package directory (undefined: not
 * installed), so each unavailability reason can be checked on a machine where the real addon works.
 */
export function nativeAvailabilityOf(packageDir: string | undefined): NativeAvailability {
  const l = probe(packageDir);
  return l.ok ? { available: true } : { available: false, reason: l.reason };
}

function loadOnce(): Loaded {
  loaded ??= probe(findPackageDir());
  return loaded;
}

/** Whether the native kernel can run here, and if not, why, as one line for a person. Loads at most once. */
export function nativeAvailability(): NativeAvailability {
  const l = loadOnce();
  return l.ok ? { available: true } : { available: false, reason: l.reason };
}

/** The native kernel. Throws an Error whose message is the unavailability reason when it cannot run. */
export function createNativeKernel(): Kernel {
  const l = loadOnce();
  if (!l.ok) throw new Error(`native kernel unavailable: ${l.reason}`);
  const addon = l.addon;
  return {
    name: 'native',
    scan(header: Uint8Array, target: Uint8Array, startNonce: number, count: number): ScanResult {
      checkScanArgs(header, target, startNonce, count);
      const nonce = addon.scan(header, target, startNonce, count);
      return nonce < 0 ? { nonce: null, hashes: count } : { nonce, hashes: nonce - startNonce + 1 };
    },
  };
}
