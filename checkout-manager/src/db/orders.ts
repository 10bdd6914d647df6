import { type Pool, type PoolConnection, type ResultSetHeader, type RowDataPacket, withTransaction } from '../../../common/src/db';
import type { Logger } from '../../../common/src/logger';
import { readOrder, readOrders as readOrderSummaries } from '../../../db/orders';
import type { OrderSummary } from '../../../contracts/messages';
import type { Outcome } from '../domain/outcomes';

export interface OrderItem {
  productId: string;
  quantity: number;
}

/** The `error` column's width: a longer refusal message is cut, never the whole batch failed for it. */
const ERROR_WIDTH = 500;

export async function readItems(pool: Pool, orderId: string): Promise<OrderItem[]> {
  const [rows] = await pool.execute<RowDataPacket[]>('SELECT product_id, quantity FROM order_items WHERE order_id = ? ORDER BY product_id', [
    orderId,
  ]);
  return rows.map((r) => ({ productId: r.product_id as string, quantity: Number(r.quantity) }));
}

/**
 * The items of many orders in one query: order id -> its lines, by product id.
 * An order without lines is absent. (`query`, not `execute`: the IN list has
 * a different length every batch, and a prepared statement per length would
 * fill the statement cache.)
 */
export async function readItemsOf(pool: Pool, orderIds: readonly string[]): Promise<Map<string, OrderItem[]>> {
  const items = new Map<string, OrderItem[]>();
  if (orderIds.length === 0) return items;
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT order_id, product_id, quantity FROM order_items WHERE order_id IN (?) ORDER BY order_id, product_id',
    [orderIds],
  );
  for (const r of rows) {
    const id = r.order_id as string;
    let lines = items.get(id);
    if (!lines) items.set(id, (lines = []));
    lines.push({ productId: r.product_id as string, quantity: Number(r.quantity) });
  }
  return items;
}

/** Many orders' summaries in one query: order id -> summary; a missing order is absent. */
export async function readOrders(db: Pool | PoolConnection, orderIds: readonly string[]): Promise<Map<string, OrderSummary>> {
  return new Map((await readOrderSummaries(db, orderIds)).map((o) => [o.orderId, o]));
}

/**
 * pending -> confirmed | failed, once: the conditional update makes the first
 * writer win; a later one reads the final state instead. Clearing
 * pending_client_id frees the client for its next checkout.
 */
export async function finishOrder(pool: Pool, orderId: string, outcome: Outcome): Promise<OrderSummary> {
  const [res] = await pool.execute<ResultSetHeader>(
    "UPDATE orders SET status = ?, code = ?, error = ?, pending_client_id = NULL WHERE order_id = ? AND status = 'pending'",
    [outcome.status, outcome.status === 'failed' ? outcome.code : '', outcome.status === 'failed' ? outcome.error : '', orderId],
  );
  const order = await readOrder(pool, orderId);
  if (!order) throw new Error(`order ${orderId} vanished`);
  if (res.affectedRows === 0 && order.status === 'pending') throw new Error(`order ${orderId} could not be finished`);
  return order;
}

/**
 * The final transitions of many orders in one transaction: ONE statement,
 * with the same `status = 'pending'` condition as finishOrder, so for every
 * order the first writer wins (another worker, the reconciler, an earlier
 * delivery). The statement locks its rows in primary-key order, so two
 * batches sharing orders do not deadlock each other (and a deadlock with
 * anything else is retried by withTransaction). The final states are read
 * back in the same transaction, in one query: an order finished elsewhere
 * first comes back with that outcome. Returns order id -> final summary; an
 * order that no longer exists is absent, and one still pending (short of a
 * bug it cannot be) comes back pending, for the caller to fail that order.
 */
export async function finishOrders(pool: Pool, outcomes: ReadonlyMap<string, Outcome>, log?: Logger): Promise<Map<string, OrderSummary>> {
  if (outcomes.size === 0) return new Map();
  const ids = [...outcomes.keys()].sort();
  const status: unknown[] = [];
  const code: unknown[] = [];
  const error: unknown[] = [];
  for (const id of ids) {
    const o = outcomes.get(id)!;
    status.push(id, o.status);
    code.push(id, o.status === 'failed' ? o.code : '');
    error.push(id, o.status === 'failed' ? o.error.slice(0, ERROR_WIDTH) : '');
  }
  const cases = ids.map(() => 'WHEN ? THEN ?').join(' ');
  const sql =
    `UPDATE orders SET status = CASE order_id ${cases} END, code = CASE order_id ${cases} END, error = CASE order_id ${cases} END, ` +
    "pending_client_id = NULL WHERE order_id IN (?) AND status = 'pending'";
  return withTransaction(
    pool,
    async (conn) => {
      await conn.query<ResultSetHeader>(sql, [...status, ...code, ...error, ids]);
      return readOrders(conn, ids);
    },
    { log },
  );
}

export async function findStalePending(pool: Pool, olderThanMs: number, limit: number): Promise<string[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    "SELECT order_id FROM orders WHERE status = 'pending' AND created_at < NOW(6) - INTERVAL ? MICROSECOND ORDER BY created_at LIMIT ?",
    [olderThanMs * 1000, limit],
  );
  return rows.map((r) => r.order_id as string);
}
