/**
 * A periodic job, not a message consumer: the reconciler. main.ts starts it
 * beside the consumers (every checkout manager runs one; RECONCILE_AFTER_MS=0
 * turns it off) and stops it on shutdown. It finishes orders whose message was
 * lost, with the same steps as the process-order consumer
 * (src/handlers/process-order.ts, OrderProcessor.reconcile).
 */
import type { Pool } from '../../../common/src/db';
import type { Logger } from '../../../common/src/logger';
import { runPeriodically } from '../../../common/src/periodic';
import { findStalePending } from '../db/orders';
import type { OrderProcessor } from '../handlers/process-order';

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
        if (!order) continue; // finished by a worker since it was found stale: nothing to reconcile
        child.warn({ status: order.status, code: order.code }, 'stale pending order reconciled');
        await processor.announce(order, {}, child);
      }
    },
    log,
    'reconcile',
  );
}
