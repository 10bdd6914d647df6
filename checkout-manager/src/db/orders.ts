import type { Pool, ResultSetHeader, RowDataPacket } from '../../../common/src/db';
import type { ErrorCode } from '../../../contracts/errors';
import { readOrder } from '../../../db/orders';
import type { OrderSummary } from '../../../contracts/messages';

export interface OrderItem {
  productId: string;
  quantity: number;
}

export async function readItems(pool: Pool, orderId: string): Promise<OrderItem[]> {
  const [rows] = await pool.execute<RowDataPacket[]>('SELECT product_id, quantity FROM order_items WHERE order_id = ? ORDER BY product_id', [
    orderId,
  ]);
  return rows.map((r) => ({ productId: r.product_id as string, quantity: Number(r.quantity) }));
}

/**
 * pending -> confirmed | failed, once: the conditional update makes the first
 * writer win; a later one reads the final state instead. Clearing
 * pending_client_id frees the client for its next checkout.
 */
export async function finishOrder(
  pool: Pool,
  orderId: string,
  outcome: { status: 'confirmed' } | { status: 'failed'; code: ErrorCode; error: string },
): Promise<OrderSummary> {
  const [res] = await pool.execute<ResultSetHeader>(
    "UPDATE orders SET status = ?, code = ?, error = ?, pending_client_id = NULL WHERE order_id = ? AND status = 'pending'",
    [outcome.status, outcome.status === 'failed' ? outcome.code : '', outcome.status === 'failed' ? outcome.error : '', orderId],
  );
  const order = await readOrder(pool, orderId);
  if (!order) throw new Error(`order ${orderId} vanished`);
  if (res.affectedRows === 0 && order.status === 'pending') throw new Error(`order ${orderId} could not be finished`);
  return order;
}

export async function findStalePending(pool: Pool, olderThanMs: number, limit: number): Promise<string[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    "SELECT order_id FROM orders WHERE status = 'pending' AND created_at < NOW(6) - INTERVAL ? MICROSECOND ORDER BY created_at LIMIT ?",
    [olderThanMs * 1000, limit],
  );
  return rows.map((r) => r.order_id as string);
}
