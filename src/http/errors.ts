/**
 * Every error a node or the manager answers is JSON `{ error: { code, message, ...details } }` with a 4xx status
 * for bad input (DESIGN.md). One table, HTTP_STATUS, gives the status of every code an answer can carry:
 * consensus reasons (consensus/errors.ts) and policy reasons (mempool/policy.ts) bring their status from their
 * own tables, the HTTP layer's own codes are below. `toHttpError` turns any error into the answer.
 */
import { STATUS_CODES } from 'node:http';
import { REJECT_REASONS } from '../consensus/index.ts';
import { POLICY_REASONS } from '../mempool/policy.ts';
import { ChainsimError } from '../util/errors.ts';

/** Codes of the HTTP layer itself, and of the errors of other layers that carry one of these codes. */
export const HTTP_CODES = {
  'bad-request': 400,
  'bad-json': 400,
  'bad-address': 400,
  /** A value the network model refuses (net/model ModelError: a latency, a partition, a share). */
  'bad-value': 400,
  unauthorized: 401,
  'not-found': 404,
  'request-timeout': 408,
  'not-more-work': 409,
  conflict: 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  /**
   * A `/chain/replace` chain with an invalid block: the whole chain is unprocessable, so 422 whatever the block's
   * reason (`bad-encoding` too); the answer carries that reason as its code, and the block's height.
   */
  'invalid-chain': 422,
  /** A sender past its rate (net/ RelayError). */
  'rate-limited': 429,
  'headers-too-large': 431,
  internal: 500,
  /** A peer that could not be asked (net/ RelayError, PeerRequestError). */
  'peer-unavailable': 502,
  unavailable: 503,
} as const;

export type HttpErrorCode = keyof typeof HTTP_CODES;

type StatusTable<K extends string> = { readonly [R in K]: number };

function statusesOf<K extends string>(reasons: {
  readonly [R in K]: { readonly status: number };
}): StatusTable<K> {
  const out: Partial<Record<K, number>> = {};
  for (const reason of Object.keys(reasons) as K[]) out[reason] = reasons[reason].status;
  return out as StatusTable<K>;
}

/** Every code an answer can carry, and its status. */
export const HTTP_STATUS: StatusTable<
  keyof typeof REJECT_REASONS | keyof typeof POLICY_REASONS | HttpErrorCode
> = Object.freeze({ ...statusesOf(REJECT_REASONS), ...statusesOf(POLICY_REASONS), ...HTTP_CODES });

export type AnswerCode = keyof typeof HTTP_STATUS;

/** The status of a code, or undefined for a code no answer carries. */
export function statusOf(code: string): number | undefined {
  return Object.hasOwn(HTTP_STATUS, code) ? HTTP_STATUS[code as AnswerCode] : undefined;
}

export class HttpError extends ChainsimError {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(code, message);
  }

  /** An answer with `code` and the status HTTP_STATUS gives it. */
  static of(code: AnswerCode, message: string, details: Record<string, unknown> = {}): HttpError {
    return new HttpError(HTTP_STATUS[code], code, message, details);
  }

  toJSON(): { error: Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}

/**
 * Any error, as the JSON error answered for it: one mapping for every route of the node and the manager. A
 * chainsim error whose code is in HTTP_STATUS answers with that code, its status and its message (a consensus
 * or policy refusal, a relay refusal, a peer that could not be asked); fastify's own errors become bad-request,
 * payload-too-large or unsupported-media-type; anything else is a 500.
 */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof ChainsimError) {
    const code: string = (err as ChainsimError).code;
    const status = statusOf(code);
    if (status !== undefined) return new HttpError(status, code, err.message);
  }
  const e = err as { statusCode?: number; code?: string; message?: string; validation?: unknown };
  if (e.validation) return HttpError.of('bad-request', e.message ?? 'invalid request');
  if (e.statusCode === 413)
    return HttpError.of('payload-too-large', e.message ?? 'request body is too large');
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return HttpError.of('unsupported-media-type', 'send application/json');
  // Fastify's other client errors keep their status (a 4xx it chose) under our generic code.
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new HttpError(e.statusCode, 'bad-request', e.message ?? 'bad request');
  }
  return HttpError.of('internal', (err as Error)?.message ?? String(err));
}

/** The JSON error answer for a code, as bytes for a raw socket (errors before fastify has a request). */
export function rawErrorResponse(code: AnswerCode, message: string): string {
  const status = HTTP_STATUS[code];
  const body = JSON.stringify(HttpError.of(code, message).toJSON());
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

export const errorResponseSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
      required: ['code', 'message'],
      additionalProperties: true,
    },
  },
  required: ['error'],
} as const;
