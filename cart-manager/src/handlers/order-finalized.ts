import { type Pool, isDuplicateKey, withTransaction } from '../../../common/src/db';
import type { Logger } from '../../../common/src/logger';
import type { OrderFinalizedEvent } from '../../../contracts/messages';

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
      try {
        await conn.execute('INSERT INTO processed_messages (message_id, outcome) VALUES (?, ?)', [
          `order-finalized:${event.orderID}`,
          JSON.stringify({ ok: true }),
        ]);
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
      for (const item of [...event.items].sort((a, b) => (a.productID < b.productID ? -1 : 1))) {
        await conn.execute('DELETE FROM client_cart WHERE client_id = ? AND product_id = ? AND quantity <= ?', [
          event.clientID,
          item.productID,
          item.quantity,
        ]);
        await conn.execute('UPDATE client_cart SET quantity = quantity - ? WHERE client_id = ? AND product_id = ? AND quantity > ?', [
          item.quantity,
          event.clientID,
          item.productID,
          item.quantity,
        ]);
      }
      return true;
    },
    { log },
  );
}
