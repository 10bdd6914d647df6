import type { ConsumerSpec } from '../../../common/src/amqp/consume';
import { type Pool, withTransaction } from '../../../common/src/db';
import type { Logger } from '../../../common/src/logger';
import { type OrderFinalizedEvent, orderFinalizedEvent } from '../../../contracts/messages';
import { removeOrderedUnits } from '../db/carts';
import { recordOutcome } from '../db/processed-messages';

/** The consumer of `<prefix>.cart.order-finalized` (the checkout manager's order.finalized events). */
export function orderFinalizedConsumer(deps: { pool: Pool }, queue: string): ConsumerSpec<OrderFinalizedEvent> {
  return {
    queue,
    schema: orderFinalizedEvent,
    logFields: (event) => ({ orderId: event.orderID, clientId: event.clientID }),
    handler: async (event, ctx) => {
      if (await applyOrderFinalized(deps.pool, ctx.log, event)) ctx.log.info('ordered quantities removed from the cart');
    },
  };
}

/**
 * A confirmed order takes its quantities out of the cart (the cart manager
 * alone writes carts). Quantities added since checkout stay. Applied once per
 * order: the event id is recorded in the same transaction.
 */
export async function applyOrderFinalized(pool: Pool, log: Logger, event: OrderFinalizedEvent): Promise<boolean> {
  if (event.status !== 'confirmed') return false;
  return withTransaction(
    pool,
    async (conn) => {
      if (!(await recordOutcome(conn, `order-finalized:${event.orderID}`, { ok: true }))) return false;
      await removeOrderedUnits(
        conn,
        event.clientID,
        event.items.map((i) => ({ productId: i.productID, quantity: i.quantity })),
      );
      return true;
    },
    { log },
  );
}
