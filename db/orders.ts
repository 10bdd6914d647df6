/**
 * The reads of order summaries, shared by the two workers that move an order
 * (the cart manager creates it, the checkout manager finishes it). They live
 * beside the schema, with the audit, because they only read: which service
 * may write which table is in docs/architecture.md.
 */
import type { Pool, PoolConnection, RowDataPacket } from '../common/src/db';
import type { ErrorCode } from '../contracts/errors';
import type { OrderStatus, OrderSummary } from '../contracts/messages';

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
  return { orderId: row.order_id, clientId: row.client_id, status: row.status, code: row.code, error: row.error, totalCents: Number(row.total_cents) };
}

export async function readOrder(db: Pool | PoolConnection, orderId: string): Promise<OrderSummary | null> {
  const [rows] = await db.execute<OrderRow[]>(`${SUMMARY} WHERE order_id = ?`, [orderId]);
  return rows[0] ? summaryOf(rows[0]) : null;
}

/** The orders that exist among these ids, in one query (a missing one is simply absent). */
export async function readOrders(db: Pool | PoolConnection, orderIds: readonly string[]): Promise<OrderSummary[]> {
  if (orderIds.length === 0) return [];
  const [rows] = await db.query<OrderRow[]>(`${SUMMARY} WHERE order_id IN (?)`, [[...new Set(orderIds)]]);
  return rows.map(summaryOf);
}

/** The pending order of each of these clients that has one (at most one each: uq_orders_pending_client), in one query. */
export async function readPendingOrdersOf(db: Pool | PoolConnection, clientIds: readonly string[]): Promise<OrderSummary[]> {
  if (clientIds.length === 0) return [];
  const [rows] = await db.query<OrderRow[]>(`${SUMMARY} WHERE pending_client_id IN (?)`, [[...new Set(clientIds)]]);
  return rows.map(summaryOf);
}
