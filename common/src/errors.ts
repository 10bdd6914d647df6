import { type ErrorCode, isFinalCode } from '../../contracts/errors';

export type { ErrorCode };

export interface AppErrorOptions {
  code: ErrorCode;
  message: string;
  /**
   * True when the same call may succeed if simply tried again in a moment: a
   * transient infrastructure failure (broker down, deadlock...). Not the same
   * as the catalog's `final`: ALL_RESERVED is not final for the buyer, yet
   * repeating the call at once would get the same answer.
   */
  retryable?: boolean;
  cause?: unknown;
}

/** The one error type: named fields, never positional booleans. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(options: AppErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = options.code;
    this.retryable = options.retryable ?? false;
  }
}

/** An error that is worth retrying (transient infrastructure failure). */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

export function isRetryable(err: unknown): boolean {
  if (err instanceof AppError) return err.retryable;
  if (err instanceof TransientError) return true;
  return false;
}

/**
 * An error that can never succeed however often it is retried: an AppError
 * whose code the catalog marks final. A consumer dead-letters it at once.
 */
export function isFinal(err: unknown): boolean {
  return err instanceof AppError && isFinalCode(err.code);
}
