/** JSON schemas for the node's routes: they validate input, speed up output and make /openapi.json. */
import {
  addressFromKey,
  blockToJSON,
  decodeBlock,
  type NetworkParams,
  txToJSON,
} from '../../consensus/index.ts';
import { errorResponseSchema } from '../../http/errors.ts';
import { hexToBytes } from '../../util/bytes.ts';

export const hashSchema = { type: 'string', pattern: '^[0-9a-fA-F]{64}$' } as const;

export const txSchema = {
  type: 'object',
  properties: {
    txid: { type: 'string' },
    version: { type: 'integer' },
    inputs: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          txid: { type: 'string' },
          vout: { type: 'integer' },
          script: { type: 'string' },
          sequence: { type: 'integer' },
        },
      },
    },
    outputs: {
      type: 'array',
      items: {
        type: 'object',
        properties: { value: { type: ['integer', 'string'] }, script: { type: 'string' } },
      },
    },
    lockTime: { type: 'integer' },
  },
} as const;

export const blockSchema = {
  type: 'object',
  description: 'A block: its hash, height, every header field and its transactions.',
  properties: {
    hash: { type: 'string' },
    height: { type: 'integer' },
    version: { type: 'integer' },
    prevHash: { type: 'string' },
    merkleRoot: { type: 'string' },
    time: { type: 'integer' },
    bits: { type: 'integer' },
    nonce: { type: 'integer' },
    transactions: { type: 'array', items: txSchema },
  },
} as const;

export const errors = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  404: errorResponseSchema,
  409: errorResponseSchema,
  413: errorResponseSchema,
  422: errorResponseSchema,
} as const;

export const nodeInfoSchema = {
  type: 'object',
  properties: {
    node: { type: 'string', description: "this node's 32-hex id" },
    address: { type: 'string', description: 'host:port' },
    nodes: { type: 'object', additionalProperties: { type: 'string' }, description: 'peer id -> address' },
    height: { type: 'integer' },
    tip: { type: 'string' },
    chainwork: { type: 'string', description: '64 hex digits, as Bitcoin Core shows it' },
    network: { type: 'string' },
    miningAddress: { type: 'string', description: "bech32m address this node's coinbases pay" },
    mempool: {
      type: 'object',
      properties: { count: { type: 'integer' }, bytes: { type: 'integer' } },
    },
  },
} as const;

export const addressSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 90,
  description: "a bech32m pay-to-key address with this network's prefix",
} as const;

/** Amounts in the smallest unit: always exact in a JSON number (MAX_MONEY < 2^53). */
export const amountSchema = { type: 'integer' } as const;

/**
 * The x coordinate of secp256k1's generator (SEC 2 §2.4.1): a valid x-only key everyone knows, so its address
 * is an example that is the same on every node of a network.
 */
const GENERATOR_X = '79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';

/**
 * Real values of the node's network for /openapi.json's examples: its genesis block, whose coinbase, an address.
 * Each route plugin calls it once at registration: 60 µs a call (measured), against ~50 ms to build a server.
 */
export function docExamples(params: NetworkParams) {
  const genesis = decodeBlock(params.genesisBlock);
  const block = blockToJSON(genesis, 0);
  const coinbase = txToJSON(genesis.txs[0]!);
  return {
    genesisHash: params.genesisHash as string,
    genesisBlock: block,
    coinbase,
    address: addressFromKey(hexToBytes(GENERATOR_X), params),
  };
}

/** A node id and another node's address, as the manager registers peers (the nodes listen from port 5000). */
export const PEER_EXAMPLE = { id: '3f0c6b1e9a2d4c5b8e7f60a1b2c3d4e5', address: '127.0.0.1:5001' } as const;
