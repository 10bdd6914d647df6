import { type Pool, type PoolConnection, RetryTransaction, isDuplicateKey } from '../../../common/src/db';
import { AppError } from '../../../common/src/errors';
import type { Logger } from '../../../common/src/logger';
import {
  type Movement,
  type Outcome,
  type ReserveCall,
  type TransitionCall,
  type TransitionDecision,
  decideReserveBatch,
  decideTransitionBatch,
  movementOf,
  orderKey,
  transitionView,
} from '../domain/batch';
import { type ReservationView, viewOf } from '../domain/reservation';
import { type FoundHeader, applyMovements, holdExpiry, insertHolds, insertTombstones, lockHeaders, readLinesOf, transitionMany } from './batch-tables';
import { lockProducts } from './stock-tables';

import { type StockChangeListener, stockTransaction } from './stock-changes';
/** A transition's answer, and whether it moved the reservation (the sweeper counts those). */
export interface TransitionResult {
  /** Null only for a sweep that found nothing to do (no caller waits for it). */
  view: ReservationView | null;
  moved: boolean;
}

/**
 * The reservation transitions of many orders in ONE short transaction each
 * (docs/design.md, "Batching without losing a guarantee"): lock the union of
 * the product rows once in the one lock order, the headers of all the orders
 * in one statement, decide each order in arrival order (domain/batch.ts), then
 * write with one multi-row statement per table and update each product row
 * once. Deadlocks, lock-wait timeouts and stale reads retry the whole batch
 * (withTransaction, bounded). A refusal is an outcome; a throw fails the
 * transaction as a whole (the coalescer then splits the batch to find the
 * request it belongs to).
 */
export class BatchRepo {
  constructor(
    private readonly pool: Pool,
    private readonly log: Logger,
    private readonly reservationTtlMs: number,
    /** Told after each commit that moved counters, with those products (the pushed stock levels). */
    private readonly onStockChange?: StockChangeListener,
  ) {}

  async reserveBatch(calls: readonly ReserveCall[]): Promise<Outcome<ReservationView>[]> {
    const collisions = duplicateKeyPolicy(calls.length);
    return this.tx(async (conn) => {
      const products = await lockProducts(conn, calls.flatMap((c) => c.items.map((i) => i.productId)));
      const found = await lockHeaders(conn, calls.map((c) => c.orderId));
      const existingLines = await readLinesOf(conn, [...found.values()].map((f) => f.orderId));
      const plan = decideReserveBatch(calls, headersOf(found), products);

      const holds = calls.filter((_, i) => plan.decisions[i]!.kind === 'hold');
      let expiresAt = new Date(0);
      if (holds.length > 0) {
        expiresAt = await holdExpiry(conn, this.reservationTtlMs);
        await insertHolds(conn, holds, expiresAt).catch(collisions);
        await applyMovements(conn, plan.movements);
      }
      const heldView = (call: ReserveCall, orderId = call.orderId): ReservationView => ({
        orderId,
        state: 'HELD',
        releaseReason: '',
        expiresAtMs: expiresAt.getTime(),
        items: call.items,
      });
      return calls.map((call, i): Outcome<ReservationView> => {
        const decision = plan.decisions[i]!;
        switch (decision.kind) {
          case 'refuse':
            return { ok: false, error: decision.error };
          case 'hold':
            return { ok: true, value: heldView(call) };
          case 'held-in-batch':
            return { ok: true, value: heldView(calls[decision.first]!, call.orderId) };
          case 'existing': {
            const key = orderKey(call.orderId);
            return { ok: true, value: viewOf(call.orderId, found.get(key)!.header, existingLines.get(key) ?? []) };
          }
        }
      });
    });
  }

  /**
   * Commit, Rollback and the sweeper's release, mixed or not. Like the single
   * calls, the products are only known from the lines: read them without a
   * lock, lock those products, lock the headers, re-read the lines under the
   * lock, and start over if they changed in between (a Reserve committed meanwhile).
   */
  async transitionBatch(calls: readonly TransitionCall[]): Promise<Outcome<TransitionResult>[]> {
    const collisions = duplicateKeyPolicy(calls.length);
    return this.tx(async (conn) => {
      const orderIds = calls.map((c) => c.orderId);
      const planned = await readLinesOf(conn, orderIds);
      await lockProducts(conn, [...planned.values()].flatMap((lines) => lines.map((l) => l.productId)));
      const found = await lockHeaders(conn, orderIds);
      const lines = await readLinesOf(conn, [...found.values()].map((f) => f.orderId), true);
      for (const key of found.keys()) {
        if ((lines.get(key)?.length ?? 0) !== (planned.get(key)?.length ?? 0)) throw new RetryTransaction('reservation lines changed while locking');
      }
      const decisions = decideTransitionBatch(calls, headersOf(found));

      const storedId = (call: TransitionCall) => found.get(orderKey(call.orderId))?.orderId ?? call.orderId;
      const linesOf = (call: TransitionCall) => lines.get(orderKey(call.orderId)) ?? [];
      const moving = (kind: TransitionDecision['kind']) =>
        calls.filter((_, i) => decisions[i]!.kind === kind).map((c) => ({ orderId: storedId(c), lineCount: linesOf(c).length }));
      await transitionMany(conn, moving('commit'), 'committed', '');
      await transitionMany(conn, moving('expire'), 'released', 'expired');
      await transitionMany(conn, moving('release'), 'released', 'rollback');
      await insertTombstones(conn, calls.filter((_, i) => decisions[i]!.kind === 'tombstone').map((c) => c.orderId)).catch(collisions);
      const movements: Movement[] = [];
      calls.forEach((call, i) => {
        const kind = movementOf(decisions[i]!);
        if (kind) for (const l of linesOf(call)) movements.push({ kind, orderId: storedId(call), productId: l.productId, quantity: l.quantity });
      });
      await applyMovements(conn, movements);

      return calls.map((call, i): Outcome<TransitionResult> => {
        const decision = decisions[i]!;
        if (decision.kind === 'not-found') return { ok: false, error: decision.error };
        if (decision.kind === 'skip') return { ok: true, value: { view: null, moved: false } };
        return { ok: true, value: { view: transitionView(call.orderId, decision, linesOf(call)), moved: decision.kind !== 'existing' } };
      });
    });
  }

  private tx<T>(work: (conn: PoolConnection) => Promise<T>): Promise<T> {
    return stockTransaction(this.pool, work, { log: this.log }, this.onStockChange);
  }
}

function headersOf(found: ReadonlyMap<string, FoundHeader>): Map<string, FoundHeader['header']> {
  return new Map([...found].map(([key, f]) => [key, f.header]));
}

/**
 * A header inserted by this batch hit an existing key. The first time, most
 * likely a concurrent transaction (a Rollback's tombstone, another instance's
 * Reserve) committed it after our read: start over and read it. Should it
 * happen again in a batch of several orders, it belongs to one of them: fail
 * the transaction (not retryable) so the coalescer splits the batch and the
 * others go through. A batch of one keeps retrying, as the single call does.
 */
function duplicateKeyPolicy(size: number): (err: unknown) => never {
  let seen = false;
  return (err) => {
    if (!isDuplicateKey(err)) throw err;
    if (size === 1 || !seen) {
      seen = true;
      throw new RetryTransaction('reservation header appeared concurrently');
    }
    throw new AppError({ code: 'INTERNAL', message: 'a reservation header of this batch collides with an existing one', cause: err });
  };
}
