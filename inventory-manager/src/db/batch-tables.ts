/**
 * The row access of a coalesced batch: the same tables and the same one lock
 * order as stock-tables.ts (product rows sorted by product_id FOR UPDATE, then
 * the reservation headers, then their lines), for many orders at once, with one
 * statement per step and one multi-row statement per table written.
 */
import { type PoolConnection, type ResultSetHeader, RetryTransaction, type RowDataPacket } from '../../../common/src/db';
import { type Movement, netCounterChanges, orderKey } from '../domain/batch';
import type { StockItem } from '../domain/order-items';
import type { HeaderStatus, ReleaseReason, ReservationHeader } from '../domain/reservation';
import { noteStockChange } from './stock-changes';

interface HeaderRow extends RowDataPacket {
  order_id: string;
  status: HeaderStatus;
  release_reason: ReleaseReason;
  expires_at: Date;
  live: number;
}

interface LineRow extends RowDataPacket {
  order_id: string;
  product_id: string;
  quantity: number;
}

/** A header as found, with the order id as stored (the one the writes must name). */
export interface FoundHeader {
  orderId: string;
  header: ReservationHeader;
}

/**
 * Lock the existing reservation headers of these orders (one statement, in
 * primary-key order), by orderKey. Under READ COMMITTED a missing key takes no
 * gap lock: an order without a header is decided on its absence, and a header
 * inserted meanwhile by another transaction shows up as a duplicate key.
 */
export async function lockHeaders(conn: PoolConnection, orderIds: readonly string[]): Promise<Map<string, FoundHeader>> {
  if (orderIds.length === 0) return new Map();
  const [rows] = await conn.query<HeaderRow[]>(
    'SELECT order_id, status, release_reason, expires_at, expires_at > NOW(6) AS live FROM reservations WHERE order_id IN (?) ORDER BY order_id FOR UPDATE',
    [[...new Set(orderIds)]],
  );
  return new Map(
    rows.map((r) => [
      orderKey(r.order_id),
      { orderId: r.order_id, header: { status: r.status, releaseReason: r.release_reason, expiresAt: r.expires_at, live: Boolean(r.live) } },
    ]),
  );
}

/** The reservation lines of these orders by orderKey, sorted by product id; locked with forUpdate. */
export async function readLinesOf(conn: PoolConnection, orderIds: readonly string[], forUpdate = false): Promise<Map<string, StockItem[]>> {
  const lines = new Map<string, StockItem[]>();
  if (orderIds.length === 0) return lines;
  const [rows] = await conn.query<LineRow[]>(
    `SELECT order_id, product_id, quantity FROM reserve_purchase WHERE order_id IN (?) ORDER BY order_id, product_id${forUpdate ? ' FOR UPDATE' : ''}`,
    [[...new Set(orderIds)]],
  );
  for (const r of rows) {
    const key = orderKey(r.order_id);
    const list = lines.get(key) ?? [];
    list.push({ productId: r.product_id, quantity: r.quantity });
    lines.set(key, list);
  }
  return lines;
}

/** The database clock plus the reservation TTL: the expiry of the holds this transaction is about to write. */
export async function holdExpiry(conn: PoolConnection, ttlMs: number): Promise<Date> {
  const [rows] = await conn.query<RowDataPacket[]>('SELECT NOW(6) + INTERVAL ? MICROSECOND AS expires_at', [ttlMs * 1000]);
  return (rows[0] as { expires_at: Date }).expires_at;
}

/**
 * Held headers and their lines, one statement each. Rows go in order id order,
 * like every other multi-row write of a batch: two batches inserting the same
 * new keys then wait for each other instead of deadlocking.
 */
export async function insertHolds(conn: PoolConnection, unsorted: readonly { orderId: string; items: StockItem[] }[], expiresAt: Date): Promise<void> {
  if (unsorted.length === 0) return;
  const holds = [...unsorted].sort((x, y) => compareIds(x.orderId, y.orderId));
  await conn.query('INSERT INTO reservations (order_id, status, expires_at) VALUES ?', [holds.map((h) => [h.orderId, 'held', expiresAt])]);
  await conn.query('INSERT INTO reserve_purchase (order_id, product_id, quantity, status, expires_at) VALUES ?', [
    holds.flatMap((h) => h.items.map((i) => [h.orderId, i.productId, i.quantity, 'held', expiresAt])),
  ]);
}

/** Released headers for orders never reserved (tombstones), one statement, in order id order. */
export async function insertTombstones(conn: PoolConnection, unsorted: readonly string[]): Promise<void> {
  if (unsorted.length === 0) return;
  const orderIds = [...unsorted].sort(compareIds);
  await conn.query(
    `INSERT INTO reservations (order_id, status, release_reason, expires_at) VALUES ${orderIds.map(() => "(?, 'released', 'rollback', NOW(6))").join(', ')}`,
    [...orderIds],
  );
}

/**
 * The conditional transition held -> `to` of many headers this transaction
 * found held under their locks, then of their lines. Should a header not be
 * held any more, nothing may move on the stale read: the transaction starts
 * over (RetryTransaction) and decides again. Lines out of step with their held
 * header are a broken invariant: the transaction rolls back with an error.
 */
export async function transitionMany(
  conn: PoolConnection,
  orders: readonly { orderId: string; lineCount: number }[],
  to: Exclude<HeaderStatus, 'held'>,
  reason: ReleaseReason,
): Promise<void> {
  if (orders.length === 0) return;
  const ids = orders.map((o) => o.orderId);
  const [headers] = await conn.query<ResultSetHeader>("UPDATE reservations SET status = ?, release_reason = ? WHERE order_id IN (?) AND status = 'held'", [to, reason, ids]);
  if (headers.affectedRows !== orders.length) {
    throw new RetryTransaction(`${orders.length - headers.affectedRows} of ${orders.length} reservations were no longer held when moved to ${to}`);
  }
  const expected = orders.reduce((n, o) => n + o.lineCount, 0);
  const [lines] = await conn.query<ResultSetHeader>("UPDATE reserve_purchase SET status = ? WHERE order_id IN (?) AND status = 'held'", [to, ids]);
  if (lines.affectedRows !== expected) {
    throw new Error(`reservations ${ids.join(', ')}: ${lines.affectedRows} of ${expected} lines were held with their held headers`);
  }
}

/**
 * Move the counters of every product once by the net of all movements (in
 * product id order, the rows are locked already), and write one ledger row per
 * movement in one statement. CHECK constraints refuse a negative counter.
 * Each product's stock_version grows by one (the pushed levels' version).
 */
export async function applyMovements(conn: PoolConnection, movements: readonly Movement[]): Promise<void> {
  if (movements.length === 0) return;
  const net = [...netCounterChanges(movements)].sort(([a], [b]) => compareIds(a, b));
  for (const [productId, d] of net) {
    await conn.execute(
      'UPDATE product_details SET quantity = quantity + ?, reserved = reserved + ?, sold = sold + ?, stock_version = stock_version + 1 WHERE product_id = ?',
      [d.available, d.reserved, d.sold, productId],
    );
  }
  noteStockChange(conn, net.map(([productId]) => productId));
  await conn.query('INSERT INTO stock_movements (product_id, kind, quantity, order_id) VALUES ?', [movements.map((m) => [m.productId, m.kind, m.quantity, m.orderId])]);
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
