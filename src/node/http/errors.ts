/**
 * Every error a node answers is JSON `{ error: { code, message, ...details } }` with a 4xx status for bad
 * input (DESIGN.md). Consensus rejections carry their reason code; other codes come from this table.
 */
import type { ConsensusError, RejectReason } from '../../consensus/index.ts';

export const HTTP_ERRORS = {
  'bad-request': 400,
  'bad-json': 400,
  'bad-address': 400,
  unauthorized: 401,
  'not-found': 404,
  'request-timeout': 408,
  'not-more-work': 409,
  conflict: 409,
  'payload-too-large': 413,
  'rate-limited': 429,
  'headers-too-large': 431,
  'peer-unavailable': 502,
  unavailable: 503,
  internal: 500,
} as const;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;

/**
 * Consensus rejections that answer another status than 422: bytes that do not decode are bad input (400), and
 * Core's conflict-like mempool refusals (the transaction or a spend of its inputs is already there) are 409.
 */
const CONSENSUS_STATUS: Partial<Record<RejectReason, number>> = {
  'bad-encoding': 400,
  'txn-already-in-mempool': 409,
  'txn-already-known': 409,
  'txn-mempool-conflict': 409,
};

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  static of(code: HttpErrorCode, message: string, details: Record<string, unknown> = {}): HttpError {
    return new HttpError(HTTP_ERRORS[code], code, message, details);
  }

  /** A consensus rejection: 422 with Core's reason code, or the status CONSENSUS_STATUS gives it. */
  static fromConsensus(err: ConsensusError, details: Record<string, unknown> = {}): HttpError {
    return new HttpError(CONSENSUS_STATUS[err.reason] ?? 422, err.reason, err.message, details);
  }

  toJSON(): { error: Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}

/** The JSON error body for a status and code, as bytes for a raw socket (errors before fastify has a request). */
export function rawErrorResponse(status: number, reason: string, code: string, message: string): string {
  const body = JSON.stringify(new HttpError(status, code, message).toJSON());
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
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
