/**
 * The one error catalog of the system. Every failure a client can see carries one
 * of these codes; each transport maps codes to its own status with one table
 * (HTTP below, gRPC in grpc.ts), so a code means the same thing everywhere.
 */
export const ERROR_CATALOG = {
  INVALID_REQUEST: { http: 400, description: 'The request body, path or query is malformed; the message names the field.' },
  PAYLOAD_TOO_LARGE: { http: 413, description: 'The JSON body is larger than the limit (16 KB).' },
  PRODUCT_NOT_FOUND: { http: 404, description: 'No product has this productID.' },
  ORDER_NOT_FOUND: { http: 404, description: 'No order has this orderID (yet: a checkout just accepted may take a moment to be recorded).' },
  NOT_FOUND: { http: 404, description: 'No such route.' },
  INSUFFICIENT_STOCK: { http: 409, description: 'Fewer units exist than the cart line asks for (add-to-cart soft check, or checkout of a quantity that can never be met).' },
  SOLD_OUT: { http: 409, description: 'Every unit is sold; nothing will come back. Final.' },
  ALL_RESERVED: { http: 409, description: 'No unit is available now, but some are held by pending payments and may come back: retry after Retry-After seconds.' },
  CHECKOUT_IN_PROGRESS: { http: 409, description: 'This client already has a checkout in flight; wait for it (or retry with the same Idempotency-Key).' },
  EMPTY_CART: { http: 400, description: 'The cart has nothing to check out.' },
  PAYMENT_DECLINED: { http: 402, description: 'The payment was declined; the units went back to stock and the cart is unchanged.' },
  RESERVATION_EXPIRED: { http: 409, description: 'The payment finished after the reservation expired; the units went back to stock and the payment was refunded.' },
  DEAL_NOT_ACTIVE: { http: 409, description: 'The product is sold only during its deal window, and the window is not open.' },
  SERVICE_UNAVAILABLE: { http: 503, description: 'A backend (broker, database, worker) cannot be reached right now: retry after Retry-After seconds.' },
  INTERNAL: { http: 500, description: 'An unexpected error; it is logged with the request id.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export const ERROR_CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CATALOG, value);
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CATALOG[code].http;
}

export interface AppErrorOptions {
  code: ErrorCode;
  message: string;
  /** true when the same operation may succeed if tried again later (broker down, deadlock...). */
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
