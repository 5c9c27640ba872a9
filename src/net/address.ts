/**
 * The addresses a node answers to: the one it gives its peers, and every name that means itself (so it never
 * registers itself as a peer under another name).
 */
import { networkInterfaces } from 'node:os';
import { isAddress, isLoopback } from './peers.ts';
import { ChainsimError } from '../util/errors.ts';

/** 0.0.0.0, :: and friends: bound to every interface, reachable at none of these names. */
export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]' || host === '';
}

/** A bind address with no reachable name for peers, and no --advertise to give one. */
export class AdvertiseError extends ChainsimError<'bad-advertise'> {
  override readonly name = 'AdvertiseError';
  constructor(message: string) {
    super('bad-advertise', message);
  }
}

/** The first non-internal IPv4 address of this machine, if any. */
function firstInterfaceAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/**
 * The address a node bound to `host`:`port` gives its peers: `advertise` when given (a host, or host:port);
 * loopback hosts as 127.0.0.1; a wildcard bind as this machine's first non-internal IPv4 address (peers cannot
 * reach "0.0.0.0"). Throws AdvertiseError when a wildcard bind has no such address.
 */
export function advertisedAddress(host: string, port: number, advertise?: string): string {
  if (advertise !== undefined && advertise !== '') {
    const full = /:\d+$/.test(advertise) ? advertise : `${advertise}:${port}`;
    if (!isAddress(full))
      throw new AdvertiseError(`--advertise must be a host or host:port, got ${advertise}`);
    return full;
  }
  if (isLoopback(host)) return `127.0.0.1:${port}`;
  if (isWildcard(host)) {
    const ip = firstInterfaceAddress();
    if (!ip) {
      throw new AdvertiseError(
        `bound to ${host || '0.0.0.0'} but this machine has no non-loopback IPv4 address for peers to reach: give --advertise HOST`,
      );
    }
    return `${ip}:${port}`;
  }
  return `${host}:${port}`;
}

/** Host names that mean this machine when a node is bound to `host`. */
function namesOf(host: string): (name: string) => boolean {
  if (isLoopback(host)) return isLoopback;
  if (isWildcard(host)) {
    const local = new Set<string>();
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) local.add(a.address);
    return (name) => isLoopback(name) || isWildcard(name) || local.has(name);
  }
  return (name) => name === host;
}

/**
 * A test for "this address is me": the same port, and a host that reaches this node (its bind address, its
 * aliases, its advertised host). `bound` and `advertised` are read at each call (the port is known after listen).
 */
export function selfAddressMatcher(
  bound: () => { host: string; port: number },
  advertised: () => string,
): (address: string) => boolean {
  // The interfaces are read once per bound host, not once per address checked (a registration checks 1,000).
  let names: { host: string; test: (name: string) => boolean } | null = null;
  return (address) => {
    if (address === advertised()) return true;
    const i = address.lastIndexOf(':');
    const host = address.slice(0, i);
    const port = Number(address.slice(i + 1));
    const b = bound();
    if (b.port === 0 || port !== b.port) return false;
    if (names?.host !== b.host) names = { host: b.host, test: namesOf(b.host) };
    return names.test(host);
  };
}
