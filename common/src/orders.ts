import type { Pool, PoolConnection, RowDataPacket } from './db';
import type { ErrorCode } from './errors';
import type { CheckoutReply, OrderStatus } from './messages';

export interface OrderSummary {
  orderId: string;
  clientId: string;
  status: OrderStatus;
  code: ErrorCode | '';
  error: string;
  totalCents: number;
}

interface OrderRow extends RowDataPacket {
  order_id: string;
  client_id: string;
  status: OrderStatus;
  code: ErrorCode | '';
  error: string;
  total_cents: number;
}

export async function readOrder(db: Pool | PoolConnection, orderId: string): Promise<OrderSummary | null> {
  const [rows] = await db.execute<OrderRow[]>(
    'SELECT order_id, client_id, status, code, error, total_cents FROM orders WHERE order_id = ?',
    [orderId],
  );
  const row = rows[0];
  return row
    ? { orderId: row.order_id, clientId: row.client_id, status: row.status, code: row.code, error: row.error, totalCents: row.total_cents }
    : null;
}

export function checkoutReplyOf(order: OrderSummary): CheckoutReply {
  return { orderID: order.orderId, status: order.status, code: order.code, error: order.error, totalCents: order.totalCents };
}
