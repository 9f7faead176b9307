/**
 * One error base class for the whole code base. Every module declares a union of string codes
 * and throws `StellaError<ThatUnion>`; callers switch on `code`, never on message text.
 */
export class StellaError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StellaError';
    this.code = code;
  }
}

export function isStellaError(value: unknown): value is StellaError {
  return value instanceof StellaError;
}
