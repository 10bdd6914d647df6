import type { PoolConnection } from '../../../common/src/db';
import type { OrderSummary } from '../../../contracts/messages';
import { readOrders, readPendingOrdersOf } from '../../../db/orders';
import type { NewOrder } from '../domain/checkout-batch';
import { rowKey } from '../domain/row-key';

/**
 * The cart manager creates orders (the checkout manager finishes them). The
 * reads are db/orders.ts's, keyed as the columns compare (rowKey). An insert that hits a unique key (the order id, or the
 * one-pending-order-per-client index uq_orders_pending_client) throws the
 * driver's ER_DUP_ENTRY: the caller reads the data again and decides.
 */

/** The orders that exist among these ids, by rowKey(order id). */
export async function findOrders(conn: PoolConnection, orderIds: readonly string[]): Promise<Map<string, OrderSummary>> {
  return new Map((await readOrders(conn, orderIds)).map((o) => [rowKey(o.orderId), o]));
}

/** The pending order of each of these clients that has one, by rowKey(client id). */
export async function findPendingOrders(conn: PoolConnection, clientIds: readonly string[]): Promise<Map<string, OrderSummary>> {
  return new Map((await readPendingOrdersOf(conn, clientIds)).map((o) => [rowKey(o.clientId), o]));
}

/**
 * Insert the orders a batch decided in one statement: pending ones
 * (pending_client_id claims the client's one checkout in flight) and refusals
 * (failed, so their ids resolve). Their items go in with insertItems.
 */
export async function insertOrders(conn: PoolConnection, orders: readonly NewOrder[]): Promise<void> {
  if (orders.length === 0) return;
  await conn.query('INSERT INTO orders (order_id, client_id, status, code, error, total_cents, pending_client_id) VALUES ?', [
    orders.map((o) =>
      o.status === 'pending'
        ? [o.orderId, o.clientId, 'pending', '', '', o.totalCents, o.clientId]
        : [o.orderId, o.clientId, 'failed', o.code, o.error, 0, null],
    ),
  ]);
}

/** The items of the pending orders among these, one statement. */
export async function insertItems(conn: PoolConnection, orders: readonly NewOrder[]): Promise<void> {
  const items = orders.flatMap((o) => (o.status === 'pending' ? o.lines.map((l) => [o.orderId, l.productId, l.quantity, l.unitPriceCents]) : []));
  if (items.length === 0) return;
  await conn.query('INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES ?', [items]);
}
