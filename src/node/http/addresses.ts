/**
 * Addresses at the HTTP edge: the output script an address names, with a 400 saying what is wrong with a bad one.
 * Shared by the routes that take an address (routes-address.ts, routes-legacy.ts `/mine?address=`).
 */
import { keyFromAddress, keyScript, type NetworkParams } from '../../consensus/index.ts';
import { HttpError } from '../../http/errors.ts';

/** The output script an address pays, or 400 `bad-address` saying what is wrong with it. */
export function scriptOfAddress(address: string, params: NetworkParams): Uint8Array {
  try {
    return keyScript(keyFromAddress(address, params));
  } catch (err) {
    throw HttpError.of('bad-address', (err as Error).message);
  }
}
