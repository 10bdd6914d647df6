import type { PoolConnection } from '../../../common/src/db';
import type { ErrorCode } from '../../../contracts/errors';
import type { PricedLine } from '../domain/pricing';

/**
 * The cart manager creates orders (the checkout manager finishes them); reads
 * go through the shared view, db/orders.ts readOrder. An insert that hits a
 * unique key (the order id, or the one-pending-order-per-client index
 * uq_orders_pending_client) throws the driver's ER_DUP_ENTRY: the caller
 * decides what it means from the data, not from the error text.
 */

/** A pending order with its items priced now; pending_client_id claims the client's one checkout in flight. */
export async function insertPendingOrder(
  conn: PoolConnection,
  order: { orderId: string; clientId: string; totalCents: number; lines: PricedLine[] },
): Promise<void> {
  await conn.execute("INSERT INTO orders (order_id, client_id, status, total_cents, pending_client_id) VALUES (?, ?, 'pending', ?, ?)", [
    order.orderId,
    order.clientId,
    order.totalCents,
    order.clientId,
  ]);
  await conn.query('INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES ?', [
    order.lines.map((l) => [order.orderId, l.productId, l.quantity, l.unitPriceCents]),
  ]);
}

/** A checkout refused at creation, recorded as a failed order so its id resolves. */
export async function insertFailedOrder(conn: PoolConnection, order: { orderId: string; clientId: string; code: ErrorCode; error: string }): Promise<void> {
  await conn.execute("INSERT INTO orders (order_id, client_id, status, code, error, total_cents) VALUES (?, ?, 'failed', ?, ?, 0)", [
    order.orderId,
    order.clientId,
    order.code,
    order.error,
  ]);
}
