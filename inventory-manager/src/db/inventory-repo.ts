import { type Pool, type PoolConnection, RetryTransaction, type RowDataPacket, isDuplicateKey } from '../../../common/src/db';
import type { Logger } from '../../../common/src/logger';
import type { StockItem } from '../domain/order-items';
import {
  type ReservationView,
  committedView,
  decideCommit,
  decideReserve,
  decideRollback,
  releasedView,
  shouldSweep,
  viewOf,
} from '../domain/reservation';
import { lockHeader, lockProducts, lockReservation, moveStock, readLines, transition } from './stock-tables';

import { type StockChangeListener, stockTransaction } from './stock-changes';
/**
 * The reservation transitions (Reserve, Commit, Rollback, the sweeper's
 * release). Every public method is one short transaction with one lock order:
 * product rows sorted by product_id (FOR UPDATE), then the order's reservation
 * header, then its lines. The decision is made in domain/reservation.ts from
 * what was read under those locks; counters move only together with the
 * reservation's conditional transition and a stock_movements row, in the same
 * transaction. Restock lives in products.ts.
 */
export class InventoryRepo {
  constructor(
    private readonly pool: Pool,
    private readonly log: Logger,
    private readonly reservationTtlMs: number,
    /** Told after each commit that moved counters, with those products (the pushed stock levels). */
    private readonly onStockChange?: StockChangeListener,
  ) {}

  /**
   * Hold every line, all or nothing, idempotent by order id: a second call
   * (redelivery, a second worker) returns the first call's reservation as it is
   * now. A refusal writes nothing.
   */
  async reserve(orderId: string, items: StockItem[]): Promise<ReservationView> {
    return this.tx(async (conn) => {
      const products = await lockProducts(conn, items.map((i) => i.productId));
      const existing = await lockHeader(conn, orderId);
      const decision = decideReserve(existing, items, products);
      if (decision.kind === 'existing') return viewOf(orderId, existing!, await readLines(conn, orderId));
      if (decision.kind === 'refuse') throw decision.error;

      try {
        await conn.execute("INSERT INTO reservations (order_id, status, expires_at) VALUES (?, 'held', NOW(6) + INTERVAL ? MICROSECOND)", [
          orderId,
          this.reservationTtlMs * 1000,
        ]);
      } catch (err) {
        // A concurrent Rollback wrote its tombstone first: start over and read it.
        if (isDuplicateKey(err)) throw new RetryTransaction('reservation header appeared concurrently');
        throw err;
      }
      const header = (await lockHeader(conn, orderId))!;
      await conn.query('INSERT INTO reserve_purchase (order_id, product_id, quantity, status, expires_at) VALUES ?', [
        items.map((i) => [orderId, i.productId, i.quantity, 'held', header.expiresAt]),
      ]);
      await moveStock(conn, 'reserve', orderId, items);
      return viewOf(orderId, header, items);
    });
  }

  /**
   * Turn a held, unexpired reservation into a sale. Idempotent: committed stays
   * committed. A hold found past its expiry (swept or not yet) is released now
   * and reported RELEASED/expired: that unit may already be someone else's.
   */
  async commit(orderId: string): Promise<ReservationView> {
    return this.tx(async (conn) => {
      const { header, lines } = await lockReservation(conn, orderId);
      const decision = decideCommit(orderId, header);
      switch (decision.kind) {
        case 'not-found':
          throw decision.error;
        case 'existing':
          return viewOf(orderId, header!, lines);
        case 'expire':
          await this.releaseHeld(conn, orderId, lines, 'expire');
          return releasedView(orderId, 'expired', lines);
        case 'commit':
          await this.moveHeld(conn, orderId, lines, 'committed');
          await moveStock(conn, 'commit', orderId, lines);
          return committedView(orderId, lines);
      }
    });
  }

  /**
   * Give a held reservation back. Idempotent. An order never reserved gets a
   * released tombstone, so a late Reserve (a redelivered message) cannot take
   * stock for an order that was already given up. A committed sale stays sold.
   */
  async rollback(orderId: string): Promise<ReservationView> {
    return this.tx(async (conn) => {
      const { header, lines } = await lockReservation(conn, orderId);
      const decision = decideRollback(header);
      switch (decision.kind) {
        case 'tombstone':
          try {
            await conn.execute("INSERT INTO reservations (order_id, status, release_reason, expires_at) VALUES (?, 'released', 'rollback', NOW(6))", [orderId]);
          } catch (err) {
            if (isDuplicateKey(err)) throw new RetryTransaction('reservation appeared concurrently');
            throw err;
          }
          return releasedView(orderId, 'rollback', []);
        case 'existing':
          return viewOf(orderId, header!, lines);
        case 'release':
          await this.releaseHeld(conn, orderId, lines, 'release');
          return releasedView(orderId, 'rollback', lines);
      }
    });
  }

  /** Up to `limit` held reservations past their expiry, oldest first; read without locks. */
  async expiredCandidates(limit: number): Promise<string[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      "SELECT order_id FROM reservations WHERE status = 'held' AND expires_at <= NOW(6) ORDER BY expires_at LIMIT ?",
      [limit],
    );
    return (rows as { order_id: string }[]).map((r) => r.order_id);
  }

  /**
   * Return one expired hold to stock, by the same conditional transition as
   * Rollback (held -> released, under the product and header locks), so
   * sweepers racing each other or a Commit release every hold exactly once.
   * False when there was nothing to release (committed, released, or still live).
   */
  async releaseExpired(orderId: string): Promise<boolean> {
    return this.tx(async (conn) => {
      const { header, lines } = await lockReservation(conn, orderId);
      if (!shouldSweep(header)) return false;
      await this.releaseHeld(conn, orderId, lines, 'expire');
      return true;
    });
  }

  /**
   * Return expired holds to stock, a batch at a time: candidates are read
   * without locks, then each is released in its own transaction. Returns how
   * many this call released.
   */
  async sweepExpired(batchSize: number): Promise<number> {
    let released = 0;
    for (const orderId of await this.expiredCandidates(batchSize)) {
      if (await this.releaseExpired(orderId)) {
        released++;
        this.log.info({ orderId }, 'expired reservation returned to stock');
      }
    }
    return released;
  }

  /** held -> released, counters back to available, one ledger row per line. */
  private async releaseHeld(conn: PoolConnection, orderId: string, lines: StockItem[], kind: 'release' | 'expire'): Promise<void> {
    await this.moveHeld(conn, orderId, lines, 'released', kind === 'expire' ? 'expired' : 'rollback');
    await moveStock(conn, kind, orderId, lines);
  }

  /**
   * The conditional transition of a header this transaction found held under
   * its lock. Should it not apply (the header is no longer held), no counter
   * may move on the strength of the stale read: the transaction starts over
   * and decides again from the reservation's real state, which it then
   * answers (committed stays committed, released stays released).
   */
  private async moveHeld(conn: PoolConnection, orderId: string, lines: StockItem[], to: 'committed' | 'released', reason: '' | 'rollback' | 'expired' = ''): Promise<void> {
    if (await transition(conn, orderId, to, reason, lines.length)) return;
    this.log.warn({ orderId, to }, 'reservation was no longer held when it was moved: deciding again from its current state');
    throw new RetryTransaction(`reservation ${orderId} was no longer held`);
  }

  private tx<T>(work: (conn: PoolConnection) => Promise<T>): Promise<T> {
    return stockTransaction(this.pool, work, { log: this.log }, this.onStockChange);
  }
}
