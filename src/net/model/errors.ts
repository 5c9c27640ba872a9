import { ChainsimError } from '../../util/errors.ts';

/** `bad-value`: a value that cannot be used (HTTP 400); `conflict`: one that contradicts the network (HTTP 409). */
export type ModelErrorCode = 'bad-value' | 'conflict';

/** A network-model setting that cannot be used; the message says what is wrong and what is expected. */
export class ModelError extends ChainsimError<ModelErrorCode> {
  override readonly name = 'ModelError';
  constructor(code: ModelErrorCode, message: string) {
    super(code, message);
  }
}

export function badValue(message: string): ModelError {
  return new ModelError('bad-value', message);
}

/** A value as a user typed it, for an error message. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (value === undefined) return 'nothing';
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}
