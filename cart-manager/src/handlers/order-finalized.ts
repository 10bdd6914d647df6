import type { BatchConsumerSpec, Delivery } from '../../../common/src/amqp/consume';
import { type Pool, RetryTransaction, withTransaction } from '../../../common/src/db';
import type { Logger } from '../../../common/src/logger';
import { type OrderFinalizedEvent, type OrdersFinalizedEvent, ordersFinalizedEvent } from '../../../contracts/messages';
import { type CrashConfig, crashPoint } from '../../../common/src/crash';
import { lockCartLines, writeCartRemovals } from '../db/carts';
import { findOutcomes, recordOutcomes } from '../db/processed-messages';
import { cartAfterRemovals } from '../domain/cart-removal';
import { rowKey } from '../domain/row-key';
import { type BatchOptions, withDataErrorsFinal } from './batching';

export interface OrderFinalizedDeps {
  pool: Pool;
  log: Logger;
  crash?: CrashConfig;
}

/** The consumer of `<prefix>.cart.order-finalized` (the checkout manager's order.finalized events), in adaptive batches. */
export function orderFinalizedConsumer(deps: OrderFinalizedDeps, queue: string, batching: BatchOptions): BatchConsumerSpec<OrdersFinalizedEvent> {
  return {
    queue,
    schema: ordersFinalizedEvent,
    maxBatch: batching.maxBatch,
    concurrency: batching.concurrency,
    logFields: (event) => (event.orders.length === 1 ? { orderId: event.orders[0]!.orderID, clientId: event.orders[0]!.clientID } : { orders: event.orders.length }),
    handleBatch: (batch) => withDataErrorsFinal(batch.length, () => handleOrderFinalizedBatch(deps, batch)),
  };
}

/** The orders of every message of the batch, in one transaction; each message is done when it commits. */
export async function handleOrderFinalizedBatch(deps: OrderFinalizedDeps, batch: readonly Delivery<OrdersFinalizedEvent>[]): Promise<{ ok: true }[]> {
  const orders = batch.flatMap((d) => d.message.orders.map((order) => ({ order, log: d.ctx.log })));
  const applied = await applyOrdersFinalized(
    deps,
    orders.map((o) => o.order),
  );
  orders.forEach(({ order, log }, i) => {
    if (applied[i]) log.debug({ orderId: order.orderID }, 'ordered quantities removed from the cart');
  });
  return batch.map(() => ({ ok: true }));
}

/** The processed_messages id of an order's cart clean-up. */
export function cleanupId(orderId: string): string {
  return `order-finalized:${orderId}`;
}

/**
 * Confirmed orders take their quantities out of the carts (the cart manager
 * alone writes carts), the whole batch in one transaction. Quantities added
 * since checkout stay. Applied once per order, as before batching: the event
 * id `order-finalized:<order id>` is recorded in processed_messages in the same
 * transaction, so an order recorded already (a redelivery, or the same event
 * twice in the batch) changes nothing. Returns, per event, whether it removed
 * anything (false for failed orders and repeats).
 */
export async function applyOrdersFinalized(deps: OrderFinalizedDeps, events: readonly OrderFinalizedEvent[]): Promise<boolean[]> {
  const confirmed = events.filter((e) => e.status === 'confirmed');
  if (confirmed.length === 0) return events.map(() => false);
  return withTransaction(
    deps.pool,
    async (conn) => {
      const recorded = await findOutcomes(conn, confirmed.map((e) => cleanupId(e.orderID)));
      // The first event of each order not recorded yet, by its index in the batch.
      const toApply = new Map<string, number>();
      events.forEach((e, i) => {
        const key = rowKey(cleanupId(e.orderID));
        if (e.status === 'confirmed' && !recorded.has(key) && !toApply.has(key)) toApply.set(key, i);
      });
      const applied = [...toApply.values()].map((i) => events[i]!);
      const orders = applied.map((e) => ({ clientId: e.clientID, items: e.items.map((i) => ({ productId: i.productID, quantity: i.quantity })) }));

      // Recorded already: the same order is being cleaned up by another worker right now.
      if (!(await recordOutcomes(conn, applied.map((e) => ({ messageId: cleanupId(e.orderID), outcome: { ok: true } }))))) {
        throw new RetryTransaction('duplicate order-finalized in flight');
      }
      if (deps.crash && events.length > 1 && orders.length > 0) crashPoint('cart.mid-batch', deps.crash);
      const lines = await lockCartLines(
        conn,
        orders.flatMap((o) => o.items.map((i) => ({ clientId: o.clientId, productId: i.productId }))),
      );
      await writeCartRemovals(conn, cartAfterRemovals(lines, orders));
      const firsts = new Set(toApply.values());
      return events.map((_, i) => firsts.has(i));
    },
    { log: deps.log },
  );
}
