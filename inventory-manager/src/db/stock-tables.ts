/**
 * Row access shared by the reservation transitions and restock: the locks, in
 * the one lock order (product rows sorted by product_id FOR UPDATE, then the
 * order's reservation header, then its lines), the conditional transition,
 * and the counter moves with their ledger rows.
 */
import { type PoolConnection, type ResultSetHeader, RetryTransaction, type RowDataPacket } from '../../../common/src/db';
import type { StockCounters } from '../../../contracts/stock';
import { type MovementKind, counterDeltas } from '../domain/movements';
import type { StockItem } from '../domain/order-items';
import type { HeaderStatus, ReleaseReason, ReservationHeader } from '../domain/reservation';
import { noteStockChange } from './stock-changes';

interface ProductRow extends RowDataPacket {
  product_id: string;
  quantity: number;
  reserved: number;
  sold: number;
}

interface HeaderRow extends RowDataPacket {
  status: HeaderStatus;
  release_reason: ReleaseReason;
  expires_at: Date;
  live: number;
}

interface LineRow extends RowDataPacket {
  product_id: string;
  quantity: number;
}

export type ProductLevel = StockCounters & { productId: string };

function levelOf(row: ProductRow): ProductLevel {
  return { productId: row.product_id, available: row.quantity, reserved: row.reserved, sold: row.sold };
}

/** Product counters without a lock (CheckQuantity), or null for an unknown product. */
export async function readProduct(conn: Pick<PoolConnection, 'execute'>, productId: string): Promise<ProductLevel | null> {
  const [rows] = await conn.execute<ProductRow[]>('SELECT product_id, quantity, reserved, sold FROM product_details WHERE product_id = ?', [productId]);
  return rows[0] ? levelOf(rows[0]) : null;
}

/** Lock the products (those that exist), sorted by id: the first step of the one lock order. */
export async function lockProducts(conn: PoolConnection, productIds: readonly string[]): Promise<Map<string, ProductLevel>> {
  const ids = [...new Set(productIds)].sort();
  if (ids.length === 0) return new Map();
  const [rows] = await conn.query<ProductRow[]>(
    'SELECT product_id, quantity, reserved, sold FROM product_details WHERE product_id IN (?) ORDER BY product_id FOR UPDATE',
    [ids],
  );
  return new Map(rows.map((r) => [r.product_id, levelOf(r)]));
}

export async function lockHeader(conn: PoolConnection, orderId: string): Promise<ReservationHeader | null> {
  const [rows] = await conn.execute<HeaderRow[]>(
    'SELECT status, release_reason, expires_at, expires_at > NOW(6) AS live FROM reservations WHERE order_id = ? FOR UPDATE',
    [orderId],
  );
  const row = rows[0];
  return row ? { status: row.status, releaseReason: row.release_reason, expiresAt: row.expires_at, live: Boolean(row.live) } : null;
}

export async function readLines(conn: PoolConnection, orderId: string, forUpdate = false): Promise<StockItem[]> {
  const [rows] = await conn.execute<LineRow[]>(
    `SELECT product_id, quantity FROM reserve_purchase WHERE order_id = ? ORDER BY product_id${forUpdate ? ' FOR UPDATE' : ''}`,
    [orderId],
  );
  return rows.map((r) => ({ productId: r.product_id, quantity: r.quantity }));
}

/**
 * Lock an order's reservation in the one lock order: its products first (the
 * lines are immutable once written, so an unlocked read names them), then the
 * header, then re-read the lines under the lock.
 */
export async function lockReservation(conn: PoolConnection, orderId: string): Promise<{ header: ReservationHeader | null; lines: StockItem[] }> {
  const planned = await readLines(conn, orderId);
  await lockProducts(conn, planned.map((l) => l.productId));
  const header = await lockHeader(conn, orderId);
  if (!header) return { header: null, lines: [] };
  const lines = await readLines(conn, orderId, true);
  // A Reserve committed between our unlocked read and the locks: start over
  // so that its product rows are locked too.
  if (lines.length !== planned.length) throw new RetryTransaction('reservation lines changed while locking');
  return { header, lines };
}

/**
 * The conditional transition held -> committed | released, header then lines.
 * False when the header was not held any more: nothing was written, and the
 * caller must not move any counter (its decision was made on a state that is
 * gone).
 */
export async function transition(
  conn: PoolConnection,
  orderId: string,
  to: Exclude<HeaderStatus, 'held'>,
  reason: ReleaseReason,
  lineCount: number,
): Promise<boolean> {
  const [header] = await conn.execute<ResultSetHeader>(
    "UPDATE reservations SET status = ?, release_reason = ? WHERE order_id = ? AND status = 'held'",
    [to, reason, orderId],
  );
  if (header.affectedRows === 0) return false;
  const [lines] = await conn.execute<ResultSetHeader>("UPDATE reserve_purchase SET status = ? WHERE order_id = ? AND status = 'held'", [to, orderId]);
  // The lines always carry their header's status: a held header with lines in
  // another state is a broken invariant, not a race. Roll back, loudly.
  if (lines.affectedRows !== lineCount) {
    throw new Error(`reservation ${orderId}: ${lines.affectedRows} of ${lineCount} lines were held with their held header`);
  }
  return true;
}

/** Move the counters of every line one way (and the product's stock_version), with one ledger row per line, in the caller's transaction. */
export async function moveStock(conn: PoolConnection, kind: MovementKind, orderId: string | null, items: readonly StockItem[]): Promise<void> {
  if (items.length === 0) return;
  for (const item of items) {
    const d = counterDeltas(kind, item.quantity);
    await conn.execute(
      'UPDATE product_details SET quantity = quantity + ?, reserved = reserved + ?, sold = sold + ?, stock_version = stock_version + 1 WHERE product_id = ?',
      [d.available, d.reserved, d.sold, item.productId],
    );
  }
  noteStockChange(conn, items.map((i) => i.productId));
  await conn.query('INSERT INTO stock_movements (product_id, kind, quantity, order_id) VALUES ?', [items.map((i) => [i.productId, kind, i.quantity, orderId])]);
}
