/**
 * Kernel selection. `native` (SHA-NI) when it was built and the CPU has SHA extensions, else `wasm-simd`
 * (built by `npm run build`), else the portable `js` reference. A kernel that fails to load falls back to
 * the next one with one warning, never a crash.
 */
import { createJsKernel } from './js.ts';
import { createNativeKernel } from './native.ts';
import { type Kernel, KERNEL_NAMES, type KernelName } from './types.ts';
import { createWasmKernel } from './wasm.ts';

export * from './types.ts';

const factories: Record<KernelName, () => Kernel> = {
  native: createNativeKernel,
  'wasm-simd': () => createWasmKernel(),
  js: createJsKernel,
};

export function isKernelName(value: unknown): value is KernelName {
  return typeof value === 'string' && (KERNEL_NAMES as readonly string[]).includes(value);
}

/** Checks a user-supplied kernel name (`auto` or one of KERNEL_NAMES); the RangeError lists the choices. */
export function parseKernelChoice(value: string): KernelName | 'auto' {
  if (value === 'auto' || isKernelName(value)) return value;
  throw new RangeError(`unknown kernel ${JSON.stringify(value)}: choose auto, ${KERNEL_NAMES.join(', ')}`);
}

/** Loads exactly `name`, throwing its load error. */
export function loadKernel(name: KernelName): Kernel {
  return factories[name]();
}

export interface KernelSelection {
  readonly kernel: Kernel;
  /** Why the requested kernel was not used, when it was not. */
  readonly fallbacks: ReadonlyArray<{ kernel: KernelName; reason: string }>;
}

/**
 * The first kernel that loads, starting from `requested` (`auto` starts at native and does not count a
 * missing native kernel as a surprise worth more than one line).
 */
export function selectKernel(requested: KernelName | 'auto' = 'auto'): KernelSelection {
  const order =
    requested === 'auto'
      ? KERNEL_NAMES
      : [
          requested,
          ...KERNEL_NAMES.filter(
            (k) => k !== requested && KERNEL_NAMES.indexOf(k) > KERNEL_NAMES.indexOf(requested),
          ),
        ];
  const fallbacks: Array<{ kernel: KernelName; reason: string }> = [];
  for (const name of order) {
    try {
      return { kernel: loadKernel(name), fallbacks };
    } catch (err) {
      fallbacks.push({ kernel: name, reason: (err as Error).message });
    }
  }
  throw new Error(
    `no proof-of-work kernel could be loaded: ${fallbacks.map((f) => `${f.kernel}: ${f.reason}`).join('; ')}`,
  );
}

/** One warning line for a selection that fell back, or null. */
export function fallbackWarning(sel: KernelSelection): string | null {
  if (sel.fallbacks.length === 0) return null;
  const why = sel.fallbacks.map((f) => `${f.kernel} unavailable (${f.reason})`).join('; ');
  return `${why}; mining with the ${sel.kernel.name} kernel`;
}
