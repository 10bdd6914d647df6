import { type ErrorCode, isFinalCode } from '../../../contracts/errors';

/**
 * Whether a Reserve refusal fails the order (anything else is retried: the
 * message is requeued). Derived from the error catalog, the one place the
 * taxonomy lives:
 *
 * - every code the catalog marks final: the same Reserve can never succeed
 *   (SOLD_OUT, INSUFFICIENT_STOCK, PRODUCT_NOT_FOUND, INVALID_REQUEST...);
 * - plus ALL_RESERVED: not final for the buyer (the catalog says retry after
 *   Retry-After), but final for this order: the buyer's retry is a new
 *   checkout, and holding a message until some hold comes back would keep the
 *   buyer waiting with no answer.
 *
 * What stays retried: SERVICE_UNAVAILABLE and INTERNAL (the inventory manager
 * unreachable or failing), and CHECKOUT_IN_PROGRESS, which Reserve never sends.
 * Over the codes Reserve answers with (inventory-manager: INVALID_REQUEST,
 * PRODUCT_NOT_FOUND, SOLD_OUT, ALL_RESERVED, INSUFFICIENT_STOCK,
 * SERVICE_UNAVAILABLE, INTERNAL) this is exactly the hand-kept set it replaces:
 * SOLD_OUT, ALL_RESERVED, INSUFFICIENT_STOCK, PRODUCT_NOT_FOUND, INVALID_REQUEST.
 */
export function failsOrder(code: ErrorCode): boolean {
  return isFinalCode(code) || code === 'ALL_RESERVED';
}
