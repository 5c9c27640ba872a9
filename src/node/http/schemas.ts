/** JSON schemas for the node's routes: they validate input, speed up output and make /openapi.json. */
import { errorResponseSchema } from '../../http/errors.ts';

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
