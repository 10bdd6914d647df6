import type { BatchReply } from '../../../common/src/generated/flashsale/inventory/v1/BatchReply';
import type { BatchResult } from '../../../common/src/generated/flashsale/inventory/v1/BatchResult';
import { AppError, isRetryable } from '../../../common/src/errors';
import type { Logger } from '../../../common/src/logger';
import type { ReservationView } from '../domain/reservation';
import { reservationMessage } from './reservation-message';

/** Orders in one batch call at most; a larger call is refused whole (INVALID_REQUEST). */
export const MAX_ORDERS_PER_BATCH_CALL = 1_000;

/**
 * Serve every order of a batch call, each as its single call would be, and
 * answer one result per order, in order: its reservation, or its refusal as a
 * catalog code. Every order is started in this turn of the event loop, so all
 * of them join the same pending batch of the coalescer (or run as their own
 * transactions when coalescing is off). A failure that is not the order's own
 * (the database down, conflicts that outlived their retries) fails the whole
 * call with its status, like a single call: every order is idempotent, so the
 * caller retries the call whole.
 */
export async function answerEach(count: number, serve: (index: number) => Promise<ReservationView>, log: Logger): Promise<BatchReply> {
  if (count > MAX_ORDERS_PER_BATCH_CALL) {
    throw new AppError({ code: 'INVALID_REQUEST', message: `at most ${MAX_ORDERS_PER_BATCH_CALL} orders per batch call, got ${count}` });
  }
  const settled = await Promise.allSettled(Array.from({ length: count }, (_, i) => new Promise<ReservationView>((resolve) => resolve(serve(i)))));
  const whole = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected' && isRetryable(s.reason));
  if (whole) throw whole.reason;
  return {
    results: settled.map((s): BatchResult => (s.status === 'fulfilled' ? { reservation: reservationMessage(s.value) } : { error: callError(s.reason, log) })),
  };
}

function callError(err: unknown, log: Logger): { code: string; message: string } {
  if (err instanceof AppError) {
    if (err.code === 'INTERNAL') log.error({ err }, 'inventory batch call: one order failed');
    return { code: err.code, message: err.message };
  }
  log.error({ err }, 'inventory batch call: one order failed');
  return { code: 'INTERNAL', message: 'unexpected error' };
}
