import type { BatchItemOutcome } from '../../../common/src/amqp/consume';
import { errnoOf } from '../../../common/src/db';
import { AppError } from '../../../common/src/errors';

/** How a queue is consumed in batches (CART_BATCH_MAX, CART_BATCH_CONCURRENCY). */
export interface BatchOptions {
  maxBatch: number;
  concurrency?: number;
}

/**
 * Errors by which the database refuses a statement's data (not the moment):
 * a value out of its column's range (an order total past INT), too long, or
 * breaking a CHECK constraint. The same message against the same rows fails
 * the same way every time.
 */
const DATA_ERRNO = new Set([
  1264, // ER_WARN_DATA_OUT_OF_RANGE
  1406, // ER_DATA_TOO_LONG
  1366, // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
  4025, // ER_CONSTRAINT_FAILED (MariaDB CHECK)
]);

/**
 * Run a batch handler; when a batch of ONE message fails because the database
 * refuses its data, that message is the cause and can never succeed: return
 * its outcome as the catalog's final INVALID_REQUEST, so the consumer
 * dead-letters it at once with the reason instead of retrying it to the
 * delivery limit. A larger batch rethrows: the consumer then hands its
 * messages over one at a time, and this finds the one at fault.
 */
export async function withDataErrorsFinal(size: number, run: () => Promise<BatchItemOutcome[]>): Promise<BatchItemOutcome[]> {
  try {
    return await run();
  } catch (err) {
    if (size !== 1 || !DATA_ERRNO.has(errnoOf(err) ?? 0)) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    return [{ ok: false, err: new AppError({ code: 'INVALID_REQUEST', message: `the database refuses this message's data: ${reason}`, cause: err }) }];
  }
}
