/**
 * The base of chainsim's own errors: a stable, machine-readable `code` beside the message for people, so a
 * caller (the HTTP error answer, the CLI, a test) decides by code and never by parsing the message.
 */
export abstract class ChainsimError<Code extends string = string> extends Error {
  abstract override readonly name: string;
  readonly code: Code;

  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

export function isChainsimError(value: unknown): value is ChainsimError {
  return value instanceof ChainsimError;
}
