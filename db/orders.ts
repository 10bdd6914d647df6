/**
 * The one read of an order's summary, shared by the two workers that move an
 * order (the cart manager creates it, the checkout manager finishes it). It
 * lives beside the schema, with the audit, because it only reads: which
 * service may write which table is in docs/architecture.md.
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
