/**
 * How a buyer reads the answer it ends with, from the one error catalog
 * (contracts/errors.ts): which outcome each code counts as, and which refusals
 * are worth trying again because the catalog says they are not final and
 * carry Retry-After.
 */
import { type ErrorCode, hasRetryAfter, isErrorCode, isFinalCode } from '../../../contracts/errors';

export const OUTCOMES = ['confirmed', 'sold_out', 'declined', 'expired', 'refused', 'error', 'unanswered'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * The outcome each catalog code counts as when a buyer ends with it. Exhaustive
 * by type: a code added to the catalog does not compile until the tool says how
 * a buyer reads it. 'refused' codes are decided by the HTTP status (a 4xx is a
 * refusal, a 5xx an error), as any code the catalog does not know.
 */
const BUYER_OUTCOME: Readonly<Record<ErrorCode, Outcome>> = {
  INVALID_REQUEST: 'refused',
  PAYLOAD_TOO_LARGE: 'refused',
  PRODUCT_NOT_FOUND: 'refused',
  ORDER_NOT_FOUND: 'refused',
  NOT_FOUND: 'refused',
  UNAUTHENTICATED: 'error',
  METHOD_NOT_ALLOWED: 'refused',
  INSUFFICIENT_STOCK: 'sold_out',
  SOLD_OUT: 'sold_out',
  ALL_RESERVED: 'sold_out',
  CHECKOUT_IN_PROGRESS: 'refused',
  EMPTY_CART: 'refused',
  PAYMENT_DECLINED: 'declined',
  RESERVATION_EXPIRED: 'expired',
  DEAL_NOT_ACTIVE: 'refused',
  SERVICE_UNAVAILABLE: 'error',
  INTERNAL: 'error',
};

/** The outcome category of a final answer (status 0 when it comes from a failed order's code). */
export function outcomeOf(status: number, code: string): Outcome {
  if (status === 200) return 'confirmed';
  if (status === 402) return 'declined';
  const byCode = isErrorCode(code) ? BUYER_OUTCOME[code] : undefined;
  if (byCode !== undefined && byCode !== 'refused') return byCode;
  if (status >= 500) return 'error';
  if ((status >= 400 && status < 500) || (status === 0 && code !== '')) return 'refused';
  return 'error';
}

/**
 * Out of stock for now, not for good: a sold-out answer whose code the catalog
 * marks not final and answered with Retry-After (ALL_RESERVED: units held by
 * pending payments may come back). A good client waits Retry-After and tries
 * again; a final code, never.
 */
export function mayComeBack(code: string): boolean {
  return isErrorCode(code) && BUYER_OUTCOME[code] === 'sold_out' && !isFinalCode(code) && hasRetryAfter(code);
}
