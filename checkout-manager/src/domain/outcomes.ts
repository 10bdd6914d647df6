import type { ErrorCode } from '../../../contracts/errors';

/** What the payments table says of an order's charge (none: no row). */
export type PaymentStatus = 'charged' | 'declined' | 'refunded';

/** The final state an order is driven to. */
export type Outcome = { status: 'confirmed' } | { status: 'failed'; code: ErrorCode; error: string };

export const CONFIRMED: Outcome = { status: 'confirmed' };

export const DECLINED: Outcome = { status: 'failed', code: 'PAYMENT_DECLINED', error: 'the payment was declined' };

/**
 * The order's outcome once its hold went back to stock (expired, swept, or
 * rolled back by the reconciler) and whatever was charged has been refunded.
 */
export function releasedOutcome(payment: PaymentStatus | null, releaseReason: string): Outcome {
  if (payment === 'declined') return DECLINED;
  const why =
    releaseReason === 'expired' || payment
      ? 'the reservation expired before the payment completed' + (payment ? '; the payment was refunded' : '')
      : 'the order could not be processed in time; nothing was charged';
  return { status: 'failed', code: 'RESERVATION_EXPIRED', error: why };
}

/** A charge that did not go through (declined, or found refunded already): the hold is given back. */
export function unchargedOutcome(payment: Exclude<PaymentStatus, 'charged'>): Outcome {
  return payment === 'declined'
    ? DECLINED
    : { status: 'failed', code: 'RESERVATION_EXPIRED', error: 'the reservation expired before the payment completed; refunded' };
}
