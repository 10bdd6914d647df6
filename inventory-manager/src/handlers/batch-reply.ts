import type { BatchReply } from '../../../common/src/generated/flashsale/inventory/v1/BatchReply';
import type { BatchResult } from '../../../common/src/generated/flashsale/inventory/v1/BatchResult';
import { AppError, isRetryable } from '../../../common/src/errors';
import type { Logger } from '../../../common/src/logger';
import type { ReservationView } from '../domain/reservation';
import { reservationMessage } from './reservation-message';

/** Orders in one batch call at most; a larger call is refused whole (INVALID_REQUEST). */
export { MAX_ORDERS_PER_BATCH_CALL } from '../../../contracts/inventory';
import { MAX_ORDERS_PER_BATCH_CALL } from '../../../contracts/inventory';

/**
 * Serve every order of a batch call as its single call would be served, and
 * answer one result per order, in order: its reservation, or its refusal as a
 * catalog code. `prepare` validates one request (a malformed one is refused
 * alone, INVALID_REQUEST); `serveMany` serves the valid ones, in the order
 * given, all handed over at once (the coalescer puts them in the same pending
 * batch). A failure that is not the order's own (the database down, conflicts
 * that outlived their retries) fails the whole call with its status, like a
 * single call: every order is idempotent, so the caller retries the call whole.
 */
export async function answerEach<Req>(
  requests: readonly unknown[],
  prepare: (index: number) => Req,
  serveMany: (valid: Req[]) => Promise<PromiseSettledResult<ReservationView>[]>,
  log: Logger,
): Promise<BatchReply> {
  if (requests.length > MAX_ORDERS_PER_BATCH_CALL) {
    throw new AppError({ code: 'INVALID_REQUEST', message: `at most ${MAX_ORDERS_PER_BATCH_CALL} orders per batch call, got ${requests.length}` });
  }
  const prepared = requests.map((_, i): { req: Req } | { error: unknown } => {
    try {
      return { req: prepare(i) };
    } catch (error) {
      return { error };
    }
  });
  const valid = prepared.flatMap((p) => ('req' in p ? [p.req] : []));
  const served = await serveMany(valid);
  if (served.length !== valid.length) throw new Error(`served ${served.length} of ${valid.length} orders`);
  const whole = served.find((s): s is PromiseRejectedResult => s.status === 'rejected' && isRetryable(s.reason));
  if (whole) throw whole.reason;
  let next = 0;
  const results = prepared.map((p): BatchResult => {
    if ('error' in p) return { error: callError(p.error, log) };
    const s = served[next++]!;
    return s.status === 'fulfilled' ? { reservation: reservationMessage(s.value) } : { error: callError(s.reason, log) };
  });
  return { results };
}

function callError(err: unknown, log: Logger): { code: string; message: string } {
  if (err instanceof AppError) {
    if (err.code === 'INTERNAL') log.error({ err }, 'inventory batch call: one order failed');
    return { code: err.code, message: err.message };
  }
  log.error({ err }, 'inventory batch call: one order failed');
  return { code: 'INTERNAL', message: 'unexpected error' };
}
