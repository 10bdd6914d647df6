/**
 * The one error catalog of the system. Every failure a client or a service can
 * see carries one of these codes, and the code means the same thing everywhere.
 * Each entry says whether the same request can ever succeed if tried again
 * (`final: false`) or never will (`final: true`): a message consumer
 * dead-letters a final error at once and retries anything else a bounded
 * number of times. `retryAfter` marks the codes whose answer tells the caller
 * when to try again (HTTP Retry-After). Each transport maps codes to its own status once: HTTP in
 * api-gateway/src/http/status.ts, gRPC in inventory-manager/src/handlers/status.ts.
 */
export const ERROR_CATALOG = {
  INVALID_REQUEST: { final: true, description: 'The request body, path or query is malformed; the message names the field.' },
  PAYLOAD_TOO_LARGE: { final: true, description: 'The JSON body is larger than the limit (16 KB).' },
  PRODUCT_NOT_FOUND: { final: true, description: 'No product has this productID.' },
  ORDER_NOT_FOUND: { final: true, description: 'No order has this orderID (yet: a checkout just accepted may take a moment to be recorded).' },
  NOT_FOUND: { final: true, description: 'No such route.' },
  UNAUTHENTICATED: { final: false, description: 'The call carries no valid credentials (the inventory manager\'s shared secret, INVENTORY_SECRET). Not final: it is a deployment\'s mistake, not the request\'s, and succeeds once the secrets agree.' },
  METHOD_NOT_ALLOWED: { final: true, description: 'The route exists, but not with this HTTP method; the Allow header lists the methods it takes.' },
  INSUFFICIENT_STOCK: { final: true, description: 'Fewer units exist than the cart line asks for (add-to-cart soft check, or checkout of a quantity that can never be met).' },
  SOLD_OUT: { final: true, description: 'Every unit is sold; nothing will come back. Final.' },
  ALL_RESERVED: { final: false, retryAfter: true, description: 'No unit is available now, but some are held by pending payments and may come back: retry after Retry-After seconds.' },
  CHECKOUT_IN_PROGRESS: { final: false, description: 'This client already has a checkout in flight; wait for it (or retry with the same Idempotency-Key).' },
  EMPTY_CART: { final: true, description: 'The cart has nothing to check out.' },
  PAYMENT_DECLINED: { final: true, description: 'The payment was declined; the units went back to stock and the cart is unchanged.' },
  RESERVATION_EXPIRED: { final: true, description: 'The payment finished after the reservation expired; the units went back to stock and the payment was refunded.' },
  DEAL_NOT_ACTIVE: { final: true, description: 'The product is sold only during its deal window, and the window is not open.' },
  SERVICE_UNAVAILABLE: { final: false, retryAfter: true, description: 'A backend (broker, database, worker) cannot be reached right now: retry after Retry-After seconds.' },
  INTERNAL: { final: false, description: 'An unexpected error; it is logged with the request id.' },
} as const satisfies Record<string, { final: boolean; retryAfter?: true; description: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export const ERROR_CODES = Object.keys(ERROR_CATALOG) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CATALOG, value);
}

/** True when the same request can never succeed, however often it is tried. */
export function isFinalCode(code: ErrorCode): boolean {
  return ERROR_CATALOG[code].final;
}

/** Codes whose answer carries a delay after which trying again makes sense. */
export function hasRetryAfter(code: ErrorCode): boolean {
  return 'retryAfter' in ERROR_CATALOG[code];
}
