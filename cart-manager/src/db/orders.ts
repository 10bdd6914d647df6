import type { PoolConnection, RowDataPacket } from '../../../common/src/db';
import type { ErrorCode } from '../../../contracts/errors';
import type { OrderStatus, OrderSummary } from '../../../contracts/messages';
import type { NewOrder } from '../domain/checkout-batch';
import { rowKey } from '../domain/row-key';

/**
 * The cart manager creates orders (the checkout manager finishes them). The
 * reads here are db/orders.ts readOrder's summary, for many orders in one
 * query. An insert that hits a unique key (the order id, or the
 * one-pending-order-per-client index uq_orders_pending_client) throws the
 * driver's ER_DUP_ENTRY: the caller reads the data again and decides.
 */

interface OrderRow extends RowDataPacket {
  order_id: string;
  client_id: string;
  status: OrderStatus;
  code: ErrorCode | '';
  error: string;
  total_cents: number;
}

const SUMMARY = 'SELECT order_id, client_id, status, code, error, total_cents FROM orders';

function summaryOf(row: OrderRow): OrderSummary {
  return { orderId: row.order_id, clientId: row.client_id, status: row.status, code: row.code, error: row.error, totalCents: row.total_cents };
}

/** The orders that exist among these ids, by rowKey(order id). */
export async function findOrders(conn: PoolConnection, orderIds: readonly string[]): Promise<Map<string, OrderSummary>> {
  if (orderIds.length === 0) return new Map();
  const [rows] = await conn.query<OrderRow[]>(`${SUMMARY} WHERE order_id IN (?)`, [[...new Set(orderIds)]]);
  return new Map(rows.map((r) => [rowKey(r.order_id), summaryOf(r)]));
}

/** The pending order of each of these clients that has one, by rowKey(client id). */
export async function findPendingOrders(conn: PoolConnection, clientIds: readonly string[]): Promise<Map<string, OrderSummary>> {
  if (clientIds.length === 0) return new Map();
  const [rows] = await conn.query<OrderRow[]>(`${SUMMARY} WHERE pending_client_id IN (?)`, [[...new Set(clientIds)]]);
  return new Map(rows.map((r) => [rowKey(r.client_id), summaryOf(r)]));
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
