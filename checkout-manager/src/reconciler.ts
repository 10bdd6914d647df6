import type { Logger } from '../../common/src/logger';
import type { Pool } from '../../common/src/db';
import { runPeriodically } from '../../common/src/periodic';
import { findStalePending } from './db/orders';
import type { OrderProcessor } from './handlers/process-order';

/**
 * Nothing stays pending forever: an order pending far longer than any live
 * checkout takes (its message dead-lettered, or lost with a crash before the
 * hand-off) is finished. Safe in every instance at once: every step is idempotent.
 */
export function startReconciler(pool: Pool, processor: OrderProcessor, log: Logger, afterMs: number, intervalMs: number): () => Promise<void> {
  if (afterMs <= 0) return async () => undefined;
  return runPeriodically(
    intervalMs,
    async () => {
      for (const orderId of await findStalePending(pool, afterMs, 50)) {
        const child = log.child({ orderId });
        const order = await processor.reconcile(orderId, child);
        child.warn({ status: order.status, code: order.code }, 'stale pending order reconciled');
        await processor.announce(order, {}, child);
      }
    },
    log,
    'reconcile',
  );
}
