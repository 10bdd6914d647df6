import {
  type Pool,
  type PoolConnection,
  type ResultSetHeader,
  RetryTransaction,
  type RowDataPacket,
  isDuplicateKey,
  withTransaction,
} from '../../../common/src/db';
import { AppError } from '../../../common/src/errors';
import type { Logger } from '../../../common/src/logger';
import { type StockCounters, refusalFor, refusalMessage } from '../../../contracts/stock';
import type { StockItem } from '../domain/order-items';

export type ReservationState = 'HELD' | 'COMMITTED' | 'RELEASED';
export type ReleaseReason = '' | 'rollback' | 'expired';

export interface ReservationView {
  orderId: string;
  state: ReservationState;
  releaseReason: ReleaseReason;
  expiresAtMs: number;
  items: StockItem[];
}

export interface ProductSeed {
  productId: string;
  name?: string;
  stock: number;
  priceCents?: number;
  dealPriceCents?: number | null;
  dealStartsAt?: Date | null;
  dealEndsAt?: Date | null;
  dealOnly?: boolean;
}

interface ProductRow extends RowDataPacket {
  product_id: string;
  quantity: number;
  reserved: number;
  sold: number;
}

interface HeaderRow extends RowDataPacket {
  status: 'held' | 'committed' | 'released';
  release_reason: ReleaseReason;
  expires_at: Date;
  live: number;
}

interface LineRow extends RowDataPacket {
  product_id: string;
  quantity: number;
}

type MovementKind = 'restock' | 'reserve' | 'commit' | 'release' | 'expire';

/**
 * The only writer of stock. Every public method is one short transaction with
 * one lock order: product rows sorted by product_id (FOR UPDATE), then the
 * order's reservation header, then its lines. Counters move only together with
 * a reservation transition and a stock_movements row, in the same transaction.
 */
export class InventoryRepo {
  constructor(
    private readonly pool: Pool,
    private readonly log: Logger,
    private readonly reservationTtlMs: number,
  ) {}

  async checkQuantity(productId: string): Promise<StockCounters & { productId: string }> {
    const [rows] = await this.pool.execute<ProductRow[]>(
      'SELECT product_id, quantity, reserved, sold FROM product_details WHERE product_id = ?',
      [productId],
    );
    const row = rows[0];
    if (!row) throw new AppError({ code: 'PRODUCT_NOT_FOUND', message: `product ${productId} does not exist` });
    return { productId: row.product_id, available: row.quantity, reserved: row.reserved, sold: row.sold };
  }

  /**
   * Hold every line, all or nothing, idempotent by order id: a second call
   * (redelivery, a second worker) returns the first call's reservation as it is
   * now. A refusal writes nothing.
   */
  async reserve(orderId: string, items: StockItem[]): Promise<ReservationView> {
    return this.tx(async (conn) => {
      const products = await lockProducts(conn, items.map((i) => i.productId));
      const existing = await lockHeader(conn, orderId);
      if (existing) return describe(orderId, existing, await readLines(conn, orderId));

      const missing = items.filter((i) => !products.has(i.productId)).map((i) => i.productId);
      if (missing.length > 0) {
        throw new AppError({ code: 'PRODUCT_NOT_FOUND', message: `unknown product: ${missing.join(', ')}` });
      }
      for (const item of items) {
        const row = products.get(item.productId)!;
        const counters = { available: row.quantity, reserved: row.reserved, sold: row.sold };
        const refusal = refusalFor(counters, item.quantity);
        if (refusal) {
          throw new AppError({ code: refusal, message: refusalMessage(refusal, item.productId, item.quantity, counters) });
        }
      }

      try {
        await conn.execute(
          'INSERT INTO reservations (order_id, status, expires_at) VALUES (?, \'held\', NOW(6) + INTERVAL ? MICROSECOND)',
          [orderId, this.reservationTtlMs * 1000],
        );
      } catch (err) {
        // A concurrent Rollback wrote its tombstone first: start over and read it.
        if (isDuplicateKey(err)) throw new RetryTransaction('reservation header appeared concurrently');
        throw err;
      }
      const header = (await lockHeader(conn, orderId))!;
      await conn.query('INSERT INTO reserve_purchase (order_id, product_id, quantity, status, expires_at) VALUES ?', [
        items.map((i) => [orderId, i.productId, i.quantity, 'held', header.expires_at]),
      ]);
      for (const item of items) {
        await conn.execute(
          'UPDATE product_details SET quantity = quantity - ?, reserved = reserved + ? WHERE product_id = ?',
          [item.quantity, item.quantity, item.productId],
        );
      }
      await writeMovements(conn, 'reserve', orderId, items);
      return describe(orderId, header, items);
    });
  }

  /**
   * Turn a held, unexpired reservation into a sale. Idempotent: committed stays
   * committed. A hold found past its expiry (swept or not yet) is released now
   * and reported RELEASED/expired: that unit may already be someone else's.
   */
  async commit(orderId: string): Promise<ReservationView> {
    return this.tx(async (conn) => {
      const { header, lines } = await this.lockReservation(conn, orderId);
      if (!header) throw new AppError({ code: 'ORDER_NOT_FOUND', message: `order ${orderId} has no reservation` });
      if (header.status !== 'held') return describe(orderId, header, lines);
      if (!header.live) {
        await releaseHeld(conn, orderId, lines, 'expire');
        return { orderId, state: 'RELEASED', releaseReason: 'expired', expiresAtMs: 0, items: lines };
      }
      await transition(conn, orderId, 'committed', '');
      for (const line of lines) {
        await conn.execute('UPDATE product_details SET reserved = reserved - ?, sold = sold + ? WHERE product_id = ?', [
          line.quantity,
          line.quantity,
          line.productId,
        ]);
      }
      await writeMovements(conn, 'commit', orderId, lines);
      return { orderId, state: 'COMMITTED', releaseReason: '', expiresAtMs: 0, items: lines };
    });
  }

  /**
   * Give a held reservation back. Idempotent. An order never reserved gets a
   * released tombstone, so a late Reserve (a redelivered message) cannot take
   * stock for an order that was already given up. A committed sale stays sold.
   */
  async rollback(orderId: string): Promise<ReservationView> {
    return this.tx(async (conn) => {
      const { header, lines } = await this.lockReservation(conn, orderId);
      if (!header) {
        try {
          await conn.execute(
            "INSERT INTO reservations (order_id, status, release_reason, expires_at) VALUES (?, 'released', 'rollback', NOW(6))",
            [orderId],
          );
        } catch (err) {
          if (isDuplicateKey(err)) throw new RetryTransaction('reservation appeared concurrently');
          throw err;
        }
        return { orderId, state: 'RELEASED', releaseReason: 'rollback', expiresAtMs: 0, items: [] };
      }
      if (header.status !== 'held') return describe(orderId, header, lines);
      await releaseHeld(conn, orderId, lines, 'release');
      return { orderId, state: 'RELEASED', releaseReason: 'rollback', expiresAtMs: 0, items: lines };
    });
  }

  /**
   * Return expired holds to stock, a batch at a time. Candidates are read without
   * locks; each is then released by the same conditional transition as Rollback
   * (held -> released, under the product and header locks), so sweepers racing
   * each other or a Commit release every hold exactly once.
   */
  async sweepExpired(batchSize: number): Promise<number> {
    const [candidates] = await this.pool.query<RowDataPacket[]>(
      "SELECT order_id FROM reservations WHERE status = 'held' AND expires_at <= NOW(6) ORDER BY expires_at LIMIT ?",
      [batchSize],
    );
    let released = 0;
    for (const { order_id: orderId } of candidates as { order_id: string }[]) {
      const done = await this.tx(async (conn) => {
        const { header, lines } = await this.lockReservation(conn, orderId);
        if (!header || header.status !== 'held' || header.live) return false;
        return releaseHeld(conn, orderId, lines, 'expire');
      });
      if (done) {
        released++;
        this.log.info({ orderId }, 'expired reservation returned to stock');
      }
    }
    return released;
  }

  /** Create a product with `stock` units, or add `stock` units to an existing one. */
  async restock(seed: ProductSeed): Promise<StockCounters & { productId: string; created: boolean }> {
    return this.tx(async (conn) => {
      const products = await lockProducts(conn, [seed.productId]);
      const existing = products.get(seed.productId);
      if (!existing) {
        if (seed.priceCents === undefined) {
          throw new AppError({ code: 'INVALID_REQUEST', message: `product ${seed.productId} is new: a price is required` });
        }
        await conn.execute(
          `INSERT INTO product_details (product_id, product_name, quantity, price_cents, deal_price_cents, deal_starts_at, deal_ends_at, deal_only)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            seed.productId,
            seed.name ?? seed.productId,
            seed.stock,
            seed.priceCents,
            seed.dealPriceCents ?? null,
            seed.dealStartsAt ?? null,
            seed.dealEndsAt ?? null,
            seed.dealOnly ? 1 : 0,
          ],
        );
      } else {
        await conn.execute('UPDATE product_details SET quantity = quantity + ? WHERE product_id = ?', [seed.stock, seed.productId]);
        const sets: string[] = [];
        const values: (string | number | Date | null)[] = [];
        if (seed.name !== undefined) sets.push('product_name = ?'), values.push(seed.name);
        if (seed.priceCents !== undefined) sets.push('price_cents = ?'), values.push(seed.priceCents);
        if (seed.dealPriceCents !== undefined) sets.push('deal_price_cents = ?'), values.push(seed.dealPriceCents);
        if (seed.dealStartsAt !== undefined) sets.push('deal_starts_at = ?'), values.push(seed.dealStartsAt);
        if (seed.dealEndsAt !== undefined) sets.push('deal_ends_at = ?'), values.push(seed.dealEndsAt);
        if (seed.dealOnly !== undefined) sets.push('deal_only = ?'), values.push(seed.dealOnly ? 1 : 0);
        if (sets.length) await conn.execute(`UPDATE product_details SET ${sets.join(', ')} WHERE product_id = ?`, [...values, seed.productId]);
      }
      if (seed.stock > 0) await writeMovements(conn, 'restock', null, [{ productId: seed.productId, quantity: seed.stock }]);
      const [rows] = await conn.execute<ProductRow[]>('SELECT product_id, quantity, reserved, sold FROM product_details WHERE product_id = ?', [
        seed.productId,
      ]);
      const row = rows[0]!;
      return { productId: row.product_id, available: row.quantity, reserved: row.reserved, sold: row.sold, created: !existing };
    });
  }

  /**
   * Lock an order's reservation in the global order: its products first (the
   * lines are immutable once written, so an unlocked read names them), then
   * the header, then re-read the lines under the lock.
   */
  private async lockReservation(conn: PoolConnection, orderId: string): Promise<{ header: HeaderRow | null; lines: StockItem[] }> {
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

  private tx<T>(work: (conn: PoolConnection) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, work, { log: this.log });
  }
}

async function lockProducts(conn: PoolConnection, productIds: string[]): Promise<Map<string, ProductRow>> {
  const ids = [...new Set(productIds)].sort();
  if (ids.length === 0) return new Map();
  const [rows] = await conn.query<ProductRow[]>(
    `SELECT product_id, quantity, reserved, sold FROM product_details WHERE product_id IN (?) ORDER BY product_id FOR UPDATE`,
    [ids],
  );
  return new Map(rows.map((r) => [r.product_id, r]));
}

async function lockHeader(conn: PoolConnection, orderId: string): Promise<HeaderRow | null> {
  const [rows] = await conn.execute<HeaderRow[]>(
    'SELECT status, release_reason, expires_at, expires_at > NOW(6) AS live FROM reservations WHERE order_id = ? FOR UPDATE',
    [orderId],
  );
  return rows[0] ?? null;
}

async function readLines(conn: PoolConnection, orderId: string, forUpdate = false): Promise<StockItem[]> {
  const [rows] = await conn.execute<LineRow[]>(
    `SELECT product_id, quantity FROM reserve_purchase WHERE order_id = ? ORDER BY product_id${forUpdate ? ' FOR UPDATE' : ''}`,
    [orderId],
  );
  return rows.map((r) => ({ productId: r.product_id, quantity: r.quantity }));
}

async function transition(conn: PoolConnection, orderId: string, to: 'committed' | 'released', reason: ReleaseReason): Promise<boolean> {
  const [res] = await conn.execute<ResultSetHeader>(
    "UPDATE reservations SET status = ?, release_reason = ? WHERE order_id = ? AND status = 'held'",
    [to, reason, orderId],
  );
  if (res.affectedRows === 0) return false;
  await conn.execute("UPDATE reserve_purchase SET status = ? WHERE order_id = ? AND status = 'held'", [to, orderId]);
  return true;
}

/** held -> released, counters back to available, one ledger row per line. */
async function releaseHeld(conn: PoolConnection, orderId: string, lines: StockItem[], kind: 'release' | 'expire'): Promise<boolean> {
  const moved = await transition(conn, orderId, 'released', kind === 'expire' ? 'expired' : 'rollback');
  if (!moved) return false;
  for (const line of lines) {
    await conn.execute('UPDATE product_details SET reserved = reserved - ?, quantity = quantity + ? WHERE product_id = ?', [
      line.quantity,
      line.quantity,
      line.productId,
    ]);
  }
  await writeMovements(conn, kind, orderId, lines);
  return true;
}

async function writeMovements(conn: PoolConnection, kind: MovementKind, orderId: string | null, items: StockItem[]): Promise<void> {
  if (items.length === 0) return;
  await conn.query('INSERT INTO stock_movements (product_id, kind, quantity, order_id) VALUES ?', [
    items.map((i) => [i.productId, kind, i.quantity, orderId]),
  ]);
}

function describe(orderId: string, header: HeaderRow, lines: StockItem[]): ReservationView {
  const state: ReservationState = header.status === 'held' ? 'HELD' : header.status === 'committed' ? 'COMMITTED' : 'RELEASED';
  return {
    orderId,
    state,
    releaseReason: header.release_reason,
    expiresAtMs: state === 'HELD' ? header.expires_at.getTime() : 0,
    items: lines,
  };
}
