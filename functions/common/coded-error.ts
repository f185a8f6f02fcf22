/**
 * Base of the project's typed errors: a `code` a program or person can act on, the
 * message a person reads, and the `cause` kept. Subclasses name the module's codes.
 */
export abstract class CodedError<Code extends string> extends Error {
  /** What went wrong, for programs. */
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
