/**
 * Network parameter presets: frozen data, not code paths. Every node of a network shares its genesis block.
 *
 * All three genesis blocks carry Bitcoin's real genesis coinbase (txid 4a5e1e4b…, "The Times 03/Jan/2009
 * Chancellor on brink of second bailout for banks"), as Bitcoin Core's regtest does; they differ in time,
 * bits and nonce. `bitcoin` is mainnet's genesis byte for byte, `regtest` is Core's regtest genesis, and
 * `sim`'s nonce was found once (test/unit/consensus/block.test.ts re-checks all three).
 */
import { type DisplayHash, parseDisplayHash } from './hash.ts';

export type NetworkName = 'bitcoin' | 'sim' | 'regtest';
export const NETWORK_NAMES: readonly NetworkName[] = ['bitcoin', 'sim', 'regtest'];

export interface NetworkParams {
  readonly name: NetworkName;
  readonly description: string;
  /** Compact form of the easiest allowed target. */
  readonly powLimitBits: number;
  readonly powLimit: bigint;
  /** Seconds between blocks the retarget aims for. */
  readonly targetSpacing: number;
  /** Blocks between retargets (Bitcoin: 2016). */
  readonly retargetInterval: number;
  /** Keep the parent's bits forever (regtest). */
  readonly noRetarget: boolean;
  /** A block may be at most this many seconds ahead of the node's clock (Core MAX_FUTURE_BLOCK_TIME). */
  readonly maxFutureBlockTime: number;
  /** Blocks in the median-time-past window. */
  readonly medianTimeSpan: number;
  /** Serialised block size limit in bytes (Core's legacy MAX_BLOCK_SIZE). */
  readonly maxBlockSize: number;
  /** First block subsidy in the smallest unit. */
  readonly initialSubsidy: bigint;
  readonly halvingInterval: number;
  /** Confirmations before a coinbase output can be spent. */
  readonly coinbaseMaturity: number;
  /** bech32m human-readable prefix for addresses. */
  readonly addressPrefix: string;
  readonly genesisHash: DisplayHash;
  /** The genesis block, serialised, as hex. */
  readonly genesisBlock: string;
}

/** Bitcoin's genesis coinbase: one input with the Times headline, 50 BTC to Satoshi's (unspendable) key. */
const GENESIS_COINBASE =
  '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d01044554686520' +
  '54696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f75' +
  '7420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0' +
  'ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000';
const GENESIS_MERKLE_ROOT_INTERNAL = '3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a';

function u32hex(n: number): string {
  const b = [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
  return b.map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** version 1, null parent, Bitcoin's genesis merkle root, one transaction: the genesis coinbase. */
function genesisBlockHex(time: number, bits: number, nonce: number): string {
  return `01000000${'00'.repeat(32)}${GENESIS_MERKLE_ROOT_INTERNAL}${u32hex(time)}${u32hex(bits)}${u32hex(nonce)}01${GENESIS_COINBASE}`;
}

function compactToTarget(bits: number): bigint {
  return BigInt(bits & 0x007fffff) << BigInt(8 * ((bits >>> 24) - 3));
}

function network(
  p: Omit<NetworkParams, 'powLimit' | 'genesisBlock' | 'genesisHash'> & {
    genesis: { time: number; bits: number; nonce: number; hash: string };
  },
): NetworkParams {
  const { genesis, ...rest } = p;
  return Object.freeze({
    ...rest,
    powLimit: compactToTarget(p.powLimitBits),
    genesisHash: parseDisplayHash(genesis.hash),
    genesisBlock: genesisBlockHex(genesis.time, genesis.bits, genesis.nonce),
  });
}

const HOUR = 60 * 60;

export const networks: Readonly<Record<NetworkName, NetworkParams>> = Object.freeze({
  /** Mainnet consensus values (Core kernel/chainparams.cpp CMainParams), for checking real headers. */
  bitcoin: network({
    name: 'bitcoin',
    description: 'Bitcoin mainnet rules, for checking real headers',
    powLimitBits: 0x1d00ffff,
    targetSpacing: 600,
    retargetInterval: 2016,
    noRetarget: false,
    maxFutureBlockTime: 2 * HOUR,
    medianTimeSpan: 11,
    maxBlockSize: 1_000_000,
    initialSubsidy: 50n * 100_000_000n,
    halvingInterval: 210_000,
    coinbaseMaturity: 100,
    addressPrefix: 'bc',
    genesis: {
      time: 1231006505,
      bits: 0x1d00ffff,
      nonce: 2083236893,
      hash: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
    },
  }),
  /**
   * Live simulations: 5-second blocks, retargeting every 12 blocks (one minute) with Bitcoin's rule. Genesis
   * bits 0x1e020000 mean 2^23 expected hashes, about a second on one WebAssembly core; the retarget then
   * follows the hash rate actually present. Halving and maturity are scaled down so a demo shows them.
   */
  sim: network({
    name: 'sim',
    description: 'live simulations: 5 s blocks, retarget every 12 blocks',
    powLimitBits: 0x207fffff,
    targetSpacing: 5,
    retargetInterval: 12,
    noRetarget: false,
    maxFutureBlockTime: 2 * HOUR,
    medianTimeSpan: 11,
    maxBlockSize: 1_000_000,
    initialSubsidy: 50n * 100_000_000n,
    halvingInterval: 100,
    coinbaseMaturity: 10,
    addressPrefix: 'sim',
    genesis: {
      time: 1767225600,
      bits: 0x1e020000,
      nonce: 20395854,
      hash: '000000f4c874fb2dd434129838f86979ccf53b19160f75191aac74472eb73082',
    },
  }),
  /** Tests: trivial difficulty (about one hash in two meets it), never retargets (Core CRegTestParams). */
  regtest: network({
    name: 'regtest',
    description: 'tests: trivial difficulty, no retarget',
    powLimitBits: 0x207fffff,
    targetSpacing: 600,
    retargetInterval: 2016,
    noRetarget: true,
    maxFutureBlockTime: 2 * HOUR,
    medianTimeSpan: 11,
    maxBlockSize: 1_000_000,
    initialSubsidy: 50n * 100_000_000n,
    halvingInterval: 150,
    coinbaseMaturity: 100,
    addressPrefix: 'bcrt',
    genesis: {
      time: 1296688602,
      bits: 0x207fffff,
      nonce: 2,
      hash: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
    },
  }),
});

export function isNetworkName(value: unknown): value is NetworkName {
  return typeof value === 'string' && (NETWORK_NAMES as readonly string[]).includes(value);
}

/** The preset called `name`; a RangeError lists the valid names otherwise. */
export function getNetwork(name: string): NetworkParams {
  if (!isNetworkName(name)) {
    throw new RangeError(
      `unknown network ${JSON.stringify(name)}: choose one of ${NETWORK_NAMES.join(', ')}`,
    );
  }
  return networks[name];
}
