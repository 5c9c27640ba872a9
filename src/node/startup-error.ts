/**
 * Why a node did not start, as a closed set of codes that crosses the worker boundary intact (`toObject` in the
 * worker's `failed` message, `fromObject` in the manager), so the manager decides what to tell the user by the
 * code, never by parsing text.
 */
import { AdvertiseError } from '../net/address.ts';
import { StoreError, type StoreErrorKind } from '../store/store.ts';
import { ChainsimError } from '../util/errors.ts';

/**
 * `store-*`: the store could not be used (StoreError's kinds: damaged, locked by another process, another
 * network's data, another schema, an I/O error); `address-*`: the HTTP server could not listen (EADDRINUSE,
 * EADDRNOTAVAIL, EACCES); `token-required`: bound beyond loopback without a token; `bad-advertise`: no address
 * peers can reach; `other`: anything else (a defect).
 */
export type StartupErrorCode =
  | 'store-damaged'
  | 'store-locked'
  | 'store-network'
  | 'store-schema'
  | 'store-io'
  | 'address-in-use'
  | 'address-unavailable'
  | 'address-denied'
  | 'token-required'
  | 'bad-advertise'
  | 'other';

export interface StartupErrorObject {
  readonly code: StartupErrorCode;
  readonly message: string;
}

const STORE_CODES: Readonly<Record<StoreErrorKind, StartupErrorCode>> = {
  damaged: 'store-damaged',
  locked: 'store-locked',
  network: 'store-network',
  schema: 'store-schema',
  io: 'store-io',
};
const storeCodes = new Set(Object.values(STORE_CODES));

const LISTEN_ERRNO: Readonly<Record<string, StartupErrorCode>> = {
  EADDRINUSE: 'address-in-use',
  EADDRNOTAVAIL: 'address-unavailable',
  EACCES: 'address-denied',
};

export class StartupError extends ChainsimError<StartupErrorCode> {
  override readonly name = 'StartupError';

  /** A structured-cloneable copy (the cause stays behind: it may not clone). */
  toObject(): StartupErrorObject {
    return { code: this.code, message: this.message };
  }

  static fromObject(o: StartupErrorObject): StartupError {
    return new StartupError(o.code, o.message);
  }

  /** Classifies any start-up failure; a StartupError is returned as it is. */
  static from(err: unknown): StartupError {
    if (err instanceof StartupError) return err;
    if (err instanceof StoreError)
      return new StartupError(STORE_CODES[err.kind], err.message, { cause: err });
    if (err instanceof AdvertiseError) return new StartupError('bad-advertise', err.message, { cause: err });
    const e = err as NodeJS.ErrnoException | undefined;
    const code = typeof e?.code === 'string' ? LISTEN_ERRNO[e.code] : undefined;
    const message = err instanceof Error ? err.message : String(err);
    return new StartupError(code ?? 'other', message, { cause: err });
  }
}

/** Whether the failure is the store's (its message names the path and what to run). */
export function isStoreFailure(code: StartupErrorCode): boolean {
  return storeCodes.has(code);
}
