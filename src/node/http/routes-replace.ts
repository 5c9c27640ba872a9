/**
 * `POST /chain/replace` (documented by the old Flask project): a whole chain, read and checked as it streams
 * in (node/replace.ts, http/chain-body.ts). Its own plugin, so its content-type parser, which hands the
 * route the raw request stream, replaces the global one (which buffers and parses whole bodies) here only.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sizeText } from '../../util/bytes.ts';
import { createTurnBudget } from '../../util/turns.ts';
import {
  MAX_REPLACE_BLOCKS,
  REPLACE_TURN_MS,
  ReplaceError,
  replaceChain,
  type ReplaceTarget,
} from '../replace.ts';
import { CHAIN_SHAPE_HINT, chainElements } from './chain-body.ts';
import { HTTP_STATUS, HttpError } from '../../http/errors.ts';
import { blockSchema, docExamples, errors } from './schemas.ts';

export interface ReplaceLimits {
  /** Blocks in one replacement after genesis. */
  readonly maxBlocks: number;
  /** Bytes of the body. */
  readonly maxBytes: number;
}

/**
 * 64 MiB: 50,000 coinbase-only blocks are 35 MB of JSON, so a chain as long as the block cap fits with room
 * for a transaction or two a block (1.3 KB a block on average), while the bytes bound a chain of fat blocks.
 */
export const REPLACE_BODY_LIMIT = 64 * 1024 * 1024;

export const DEFAULT_REPLACE_LIMITS: ReplaceLimits = {
  maxBlocks: MAX_REPLACE_BLOCKS,
  maxBytes: REPLACE_BODY_LIMIT,
};

export interface ReplaceRoutesOptions {
  readonly target: ReplaceTarget;
  readonly auth: (req: FastifyRequest) => void;
  /** The caps on one body (tests lower them); DEFAULT_REPLACE_LIMITS when omitted. */
  readonly limits?: Partial<ReplaceLimits> | undefined;
  /** One block as JSON (`POST /block/new`'s body limit), and the double-encoded form, decoded whole. */
  readonly bodyLimit: number;
}

export function replaceRoutes(app: FastifyInstance, opts: ReplaceRoutesOptions): void {
  const limits = { ...DEFAULT_REPLACE_LIMITS, ...opts.limits };
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  app.post(
    '/chain/replace',
    {
      schema: {
        summary: 'Adopt a whole chain if it is valid from genesis and has more work',
        description:
          `The chain is a JSON array of blocks as GET /chain renders them, or {"chain": [...]}. It is read as a stream and every block is checked as it arrives (in slices of ${REPLACE_TURN_MS} ms of work, so the node keeps answering other requests); the first bad block ends the request at once with 422, its reason and height. ` +
          `At most ${limits.maxBlocks} blocks after genesis and ${sizeText(limits.maxBytes)}; more is 413 payload-too-large. ` +
          `The old double-encoded form (a JSON string holding the chain) is decoded whole, so it is taken up to ${sizeText(opts.bodyLimit)}.`,
        body: {
          anyOf: [
            { type: 'array', items: blockSchema },
            {
              type: 'object',
              properties: { chain: { type: 'array', items: blockSchema } },
              required: ['chain'],
            },
          ],
          examples: [[docExamples(opts.target.params).genesisBlock]],
        },
        response: {
          201: {
            type: 'object',
            properties: { message: { type: 'string' }, length: { type: 'integer' }, tip: { type: 'string' } },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      try {
        opts.auth(req);
        if (Number(req.headers['content-length']) > limits.maxBytes) {
          throw HttpError.of(
            'payload-too-large',
            `the body is over ${sizeText(limits.maxBytes)}, the most /chain/replace takes`,
          );
        }
        const budget = createTurnBudget(REPLACE_TURN_MS);
        const body = req.body as Readable | undefined;
        if (!body) throw HttpError.of('bad-request', CHAIN_SHAPE_HINT);
        const elements = chainElements(
          body,
          { maxBytes: limits.maxBytes, maxElementBytes: opts.bodyLimit, maxStringBytes: opts.bodyLimit },
          budget,
        );
        const r = await replaceChain(opts.target, elements, { maxBlocks: limits.maxBlocks, budget });
        return await reply.status(201).send({ message: 'Chain replaced', length: r.height + 1, tip: r.tip });
      } catch (err) {
        if (!req.raw.readableEnded) linger(req.raw);
        throw replaceHttpError(err);
      }
    },
  );
}

/** How long, and how much more, a refused body is read and dropped before its connection is closed. */
const LINGER_MS = 2000;
const LINGER_BYTES = 16 * 1024 * 1024;

/**
 * Refused before the body was read to its end: the rest is read and dropped for a while (never parsed), then
 * the connection is closed. Closing a socket with unread data at once sends a reset, which can destroy the
 * answer before the client reads it; a client that stops sending in time keeps its connection.
 */
function linger(body: IncomingMessage): void {
  let read = 0;
  // Destroying the request closes its connection (and is harmless on an injected request, which has no socket).
  const close = (): void => void body.destroy();
  const timer = setTimeout(close, LINGER_MS);
  timer.unref();
  body.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > LINGER_BYTES) {
      clearTimeout(timer);
      close();
    }
  });
  body.once('end', () => clearTimeout(timer));
  body.resume();
}

function replaceHttpError(err: unknown): unknown {
  if (!(err instanceof ReplaceError)) return err;
  if (err.kind === 'not-more-work') return HttpError.of('not-more-work', err.message, { height: err.height });
  if (err.kind === 'too-many-blocks') return HttpError.of('payload-too-large', err.message);
  return new HttpError(HTTP_STATUS['invalid-chain'], err.cause!.reason, err.cause!.message, {
    height: err.height,
  });
}
