/**
 * A `/chain/replace` body read as a stream: the elements of the top-level array, or of `chain` in an object,
 * handed out one by one as they are parsed, so neither the text nor the chain is ever held whole and the
 * first bad block ends the request before the rest is read. The old clients' double encoding (a JSON string
 * holding the chain) is decoded whole, so it is held to the normal body limit.
 *
 * Parsing is @streamparser/json's tokenizer and token parser, with a watch on the tokens that bounds what one
 * body can cost: the nesting depth (`[[[[...` would grow the parser's stack without limit) and the bytes of
 * one element (one block as JSON), besides the bytes of the body.
 */
import type { Readable } from 'node:stream';
import {
  Tokenizer,
  TokenParser,
  TokenType,
  type ParsedElementInfo,
  type ParsedTokenInfo,
} from '@streamparser/json';
import { ConsensusError } from '../../consensus/index.ts';
import { sizeText } from '../../util/bytes.ts';
import type { TurnBudget } from '../../util/turns.ts';
import { ReplaceError } from '../replace.ts';
import { HttpError } from '../../http/errors.ts';

export interface ChainBodyLimits {
  /** Bytes of the body. */
  readonly maxBytes: number;
  /** Bytes of one element: one block as JSON. */
  readonly maxElementBytes: number;
  /** Bytes of the double-encoded form, which is decoded whole. */
  readonly maxStringBytes: number;
}

export const CHAIN_SHAPE_HINT =
  'send the chain as a JSON array of blocks, or {"chain": [...]}, as GET /chain returns it';

/** A block as JSON nests 5 deep (block, transactions, tx, inputs, input), 7 in `{chain}`; the rest is slack. */
const MAX_DEPTH = 16;
/**
 * Bytes parsed between two looks at the clock: 16 KiB is ~0.7 ms of blocks and ~1 ms of `{},{},...` (the
 * densest tokens); 64 KiB took 3 and 4-11 ms (measured), too much of a 5 ms turn for one step.
 */
const SLICE_BYTES = 16 * 1024;
const QUOTE = 0x22;

const badShape = (detail?: string): HttpError =>
  HttpError.of('bad-request', detail ? `${detail}: ${CHAIN_SHAPE_HINT}` : CHAIN_SHAPE_HINT);

/**
 * The chain's elements (unchecked JSON values, genesis first), parsed from `stream` as it arrives. Throws
 * HttpError (`payload-too-large`, `bad-json`, `bad-request`) and, for an element that cannot be a block (too
 * deep, too big), ReplaceError `bad-encoding` with its height. Stopping early leaves the stream open (so the
 * answer can still go out on its socket) and unread.
 */
export async function* chainElements(
  stream: Readable,
  limits: ChainBodyLimits,
  budget: TurnBudget,
): AsyncGenerator<unknown, void, undefined> {
  const chunks = boundedChunks(stream, limits.maxBytes)[Symbol.asyncIterator]();
  try {
    let first: Uint8Array | undefined;
    while (!first) {
      const next = await chunks.next();
      if (next.done) throw badShape('the body is empty');
      const at = next.value.findIndex((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
      if (at >= 0) first = next.value.subarray(at);
    }
    if (first[0] === QUOTE) {
      const inner = await doubleEncoded(first, chunks, limits.maxStringBytes);
      yield* parseElements(slices([inner]), limits, budget, (message) =>
        badShape(`the string does not hold a chain (${message})`),
      );
    } else {
      yield* parseElements(slices(prepend(first, chunks)), limits, budget, (message) =>
        HttpError.of('bad-json', `the body is not valid JSON: ${message}`),
      );
    }
  } finally {
    await chunks.return?.(undefined);
  }
}

/** The stream's chunks, refused past `maxBytes`; stopping early neither destroys nor drains the stream. */
async function* boundedChunks(stream: Readable, maxBytes: number): AsyncGenerator<Uint8Array> {
  let bytes = 0;
  for await (const chunk of stream.iterator({ destroyOnReturn: false }) as AsyncIterable<
    Uint8Array | string
  >) {
    const bytesOf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += bytesOf.length;
    if (bytes > maxBytes) {
      throw HttpError.of(
        'payload-too-large',
        `the body is over ${sizeText(maxBytes)}, the most /chain/replace takes`,
      );
    }
    yield bytesOf;
  }
}

async function* prepend(
  first: Uint8Array,
  rest: AsyncIterator<Uint8Array>,
): AsyncGenerator<Uint8Array, void, undefined> {
  yield first;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

/** The chunks cut to at most SLICE_BYTES, so the clock is looked at often enough. */
async function* slices(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<Uint8Array, void, undefined> {
  for await (const chunk of chunks) {
    for (let at = 0; at < chunk.length; at += SLICE_BYTES) yield chunk.subarray(at, at + SLICE_BYTES);
  }
}

/** The text of a double-encoded chain (a JSON string holding it), as UTF-8 bytes. */
async function doubleEncoded(
  first: Uint8Array,
  rest: AsyncIterator<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [first];
  let bytes = first.length;
  for (;;) {
    if (bytes > maxBytes) {
      throw HttpError.of(
        'payload-too-large',
        `a double-encoded chain (a JSON string) is taken up to ${sizeText(maxBytes)}; send the chain itself, up to the larger limit`,
      );
    }
    const next = await rest.next();
    if (next.done) break;
    parts.push(next.value);
    bytes += next.value.length;
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch (err) {
    throw HttpError.of('bad-json', `the body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'string') throw badShape();
  return Buffer.from(value, 'utf8');
}

/** What stopped the parser: our own refusals pass through; anything else is a syntax error of the body. */
function bodyError(err: unknown, syntaxError: (message: string) => HttpError): Error {
  if (err instanceof HttpError || err instanceof ReplaceError) return err;
  return syntaxError(err instanceof Error ? err.message : String(err));
}

async function* parseElements(
  input: AsyncIterable<Uint8Array>,
  limits: ChainBodyLimits,
  budget: TurnBudget,
  syntaxError: (message: string) => HttpError,
): AsyncGenerator<unknown, void, undefined> {
  const watch = new ChainWatch(limits.maxElementBytes);
  for await (const slice of input) {
    const failure = watch.write(slice);
    // Elements parsed before a failure in the same slice come first: the first bad block decides.
    for (const element of watch.take()) yield element;
    if (failure) throw bodyError(failure, syntaxError);
    await budget.pass();
  }
  const failure = watch.end();
  for (const element of watch.take()) yield element;
  if (failure) throw bodyError(failure, syntaxError);
}

/**
 * The tokenizer, the token parser (made at the first token: which values are elements depends on the root),
 * and a watch over the structure: the depth, the `chain` member of an object, where each element begins.
 */
class ChainWatch {
  private readonly tokenizer = new Tokenizer();
  private parser: TokenParser | null = null;
  private ready: unknown[] = [];
  private emitted = 0;
  private depth = 0;
  /** The depth of the chain's elements' parent: 1 for a top-level array, 2 for `{chain}`. */
  private chainDepth = 1;
  private chainSeen = false;
  /** The current token opens the chain array. */
  private opening = false;
  private inChain = false;
  /** Position among the root object's members, and the last key. */
  private member: 'key' | 'colon' | 'value' | 'next' = 'key';
  private key = '';
  private fed = 0;
  /** Byte offset where the element being parsed began. */
  private elementStart = 0;

  constructor(private readonly maxElementBytes: number) {
    this.tokenizer.onToken = (t) => this.token(t);
  }

  /** Parses a slice; returns what stopped it, if anything (nothing more is parsed after that). */
  write(slice: Uint8Array): unknown {
    try {
      this.tokenizer.write(slice);
      this.fed += slice.length;
      if (this.inChain && this.fed - this.elementStart > this.maxElementBytes) {
        throw this.badElement(`is over ${sizeText(this.maxElementBytes)} of JSON, more than any block`);
      }
      return null;
    } catch (err) {
      return err;
    }
  }

  end(): unknown {
    try {
      this.tokenizer.end();
      if (!this.parser) throw badShape('the body is empty');
      if (!this.parser.isEnded) this.parser.end();
      if (!this.chainSeen) throw badShape('no "chain" array');
      return null;
    } catch (err) {
      return err;
    }
  }

  take(): unknown[] {
    const out = this.ready;
    this.ready = [];
    return out;
  }

  private token(t: ParsedTokenInfo): void {
    const parser = this.parser ?? this.start(t.token);
    const at = this.depth;
    if (this.chainDepth === 2 && at === 1) this.rootMember(t);
    switch (t.token) {
      case TokenType.LEFT_BRACE:
      case TokenType.LEFT_BRACKET:
        if (++this.depth > MAX_DEPTH) {
          throw this.inChain
            ? this.badElement('nests deeper than any block')
            : badShape(`the JSON nests more than ${MAX_DEPTH} deep`);
        }
        if (this.opening) {
          this.opening = false;
          this.inChain = true;
          this.elementStart = t.offset + 1;
        }
        break;
      case TokenType.RIGHT_BRACE:
      case TokenType.RIGHT_BRACKET:
        if (this.inChain && at === this.chainDepth) this.inChain = false;
        this.depth--;
        break;
      case TokenType.COMMA:
        if (this.inChain && at === this.chainDepth) this.elementStart = t.offset + 1;
        break;
      default:
    }
    parser.write(t);
  }

  /** The first token decides the shape: an array is the chain; an object holds it in `chain`. */
  private start(token: TokenType): TokenParser {
    let paths: string[];
    if (token === TokenType.LEFT_BRACKET) {
      paths = ['$.*'];
      this.chainSeen = true;
      this.opening = true;
    } else if (token === TokenType.LEFT_BRACE) {
      paths = ['$.chain.*'];
      this.chainDepth = 2;
    } else {
      throw badShape();
    }
    // keepStack: false drops each value from its parent once complete (unless an ancestor is to be emitted),
    // so memory holds one element, never the chain or a skipped member.
    const parser = new TokenParser({ paths, keepStack: false });
    parser.onValue = (info: ParsedElementInfo) => {
      this.ready.push(info.value);
      this.emitted++;
    };
    this.parser = parser;
    return parser;
  }

  /** Follows the root object's members, to find `chain` and see that it is an array, given once. */
  private rootMember(t: ParsedTokenInfo): void {
    if (this.member === 'key' && t.token === TokenType.STRING) {
      this.key = t.value as string;
      this.member = 'colon';
    } else if (this.member === 'colon' && t.token === TokenType.COLON) {
      this.member = 'value';
    } else if (this.member === 'value') {
      if (this.key === 'chain') {
        if (t.token !== TokenType.LEFT_BRACKET) throw badShape('"chain" is not an array');
        if (this.chainSeen) throw badShape('"chain" is given twice');
        this.chainSeen = true;
        this.opening = true;
      }
      this.member = 'next';
    } else if (this.member === 'next' && t.token === TokenType.COMMA) {
      this.member = 'key';
    }
  }

  private badElement(what: string): ReplaceError {
    const height = this.emitted;
    return new ReplaceError(
      'invalid',
      new ConsensusError('bad-encoding', `chain[${height}] ${what}`),
      height,
    );
  }
}
