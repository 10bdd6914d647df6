import type { ErrorCode } from '../../../contracts/errors';

/**
 * The gateway's one table from catalog code to HTTP status. Exhaustive by
 * type: a code added to the catalog does not compile until it has a status.
 */
const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  INVALID_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  PRODUCT_NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  METHOD_NOT_ALLOWED: 405,
  INSUFFICIENT_STOCK: 409,
  SOLD_OUT: 409,
  ALL_RESERVED: 409,
  CHECKOUT_IN_PROGRESS: 409,
  EMPTY_CART: 400,
  PAYMENT_DECLINED: 402,
  RESERVATION_EXPIRED: 409,
  DEAL_NOT_ACTIVE: 409,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}
