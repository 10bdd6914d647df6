import type { Pool } from '../../../common/src/db';
import { isRetryable } from '../../../common/src/errors';
import type { Logger } from '../../../common/src/logger';
import { BatchRepo } from '../db/batch-repo';
import { InventoryRepo } from '../db/inventory-repo';
import type { StockChangeListener } from '../db/stock-changes';
import type { ReserveCall, TransitionCall } from '../domain/batch';
import type { StockItem } from '../domain/order-items';
import type { ReservationView } from '../domain/reservation';
import { Coalescer, type CoalescerStats, serveIsolated } from './coalescer';

export const COALESCED_OPS = ['reserve', 'commit', 'rollback'] as const;
export type CoalescedOp = (typeof COALESCED_OPS)[number];

/**
 * What the RPC handlers and the sweeper call. Two implementations over the
 * same pool, chosen by INVENTORY_COALESCE: every call coalesced into batch
 * transactions (the default), or every call its own transaction (the path
 * before batching, kept so the two can be compared).
 */
export interface ReservationService {
  reserve(orderId: string, items: StockItem[]): Promise<ReservationView>;
  commit(orderId: string): Promise<ReservationView>;
  rollback(orderId: string): Promise<ReservationView>;
  /**
   * Many orders of one batch call, served in the order given, each exactly as
   * its single call: one settled result per order, in order. Coalescing, they
   * all join the pending batch at once; one transaction per call, they run one
   * after the other.
   */
  reserveMany(calls: ReserveCall[]): Promise<Settled[]>;
  commitMany(orderIds: string[]): Promise<Settled[]>;
  rollbackMany(orderIds: string[]): Promise<Settled[]>;
  /** Return up to `batchSize` expired holds to stock; how many were returned. */
  sweepExpired(batchSize: number): Promise<number>;
  /** Batches run and calls served per operation; null when every call is its own transaction. */
  readonly coalesced: Readonly<Record<CoalescedOp, CoalescerStats>> | null;
  /** Resolves when no call is waiting or being served. */
  drain(): Promise<void>;
}

export type Settled = PromiseSettledResult<ReservationView>;

/** One after the other, in order: the batch RPCs when every call is its own transaction. */
async function inOrder<T>(items: readonly T[], serve: (item: T) => Promise<ReservationView>): Promise<Settled[]> {
  const settled: Settled[] = [];
  for (const item of items) {
    try {
      settled.push({ status: 'fulfilled', value: await serve(item) });
    } catch (reason) {
      settled.push({ status: 'rejected', reason });
    }
  }
  return settled;
}

export interface ReservationServiceOptions {
  coalesce: boolean;
  /** Calls per batch transaction at most. */
  maxBatch: number;
  reservationTtlMs: number;
  /** Told after every commit that moved counters (the pushed stock levels). */
  onStockChange?: StockChangeListener;
}

export function createReservationService(pool: Pool, log: Logger, options: ReservationServiceOptions): ReservationService {
  const single = new InventoryRepo(pool, log, options.reservationTtlMs, options.onStockChange);
  if (!options.coalesce) {
    return {
      reserve: (orderId, items) => single.reserve(orderId, items),
      commit: (orderId) => single.commit(orderId),
      rollback: (orderId) => single.rollback(orderId),
      reserveMany: (calls) => inOrder(calls, (c) => single.reserve(c.orderId, c.items)),
      commitMany: (orderIds) => inOrder(orderIds, (id) => single.commit(id)),
      rollbackMany: (orderIds) => inOrder(orderIds, (id) => single.rollback(id)),
      sweepExpired: (batchSize) => single.sweepExpired(batchSize),
      coalesced: null,
      drain: async () => undefined,
    };
  }

  const batches = new BatchRepo(pool, log, options.reservationTtlMs, options.onStockChange);
  const common = { maxBatch: options.maxBatch, isWholeFailure: isRetryable, log };
  // Reserve: gathered per product row (the rows it locks).
  const reserve = new Coalescer<ReserveCall, ReservationView>({
    ...common,
    keysOf: (call) => call.items.map((i) => i.productId),
    run: (calls) => batches.reserveBatch(calls),
  });
  // Commit and Rollback learn their products only from the lines they read
  // under the lock: one lane each, every product in it.
  const transitions = (op: 'commit' | 'rollback') =>
    new Coalescer<TransitionCall, ReservationView>({
      ...common,
      keysOf: () => [op],
      run: async (calls) => (await batches.transitionBatch(calls)).map((o) => (o.ok ? { ok: true, value: o.value.view! } : o)),
    });
  const commit = transitions('commit');
  const rollback = transitions('rollback');

  return {
    reserve: (orderId, items) => reserve.submit({ orderId, items }),
    commit: (orderId) => commit.submit({ orderId, op: 'commit' }),
    rollback: (orderId) => rollback.submit({ orderId, op: 'rollback' }),
    // All submitted in this turn: they join the same pending batch, in the order given.
    reserveMany: (calls) => Promise.allSettled(calls.map((c) => reserve.submit(c))),
    commitMany: (orderIds) => Promise.allSettled(orderIds.map((orderId) => commit.submit({ orderId, op: 'commit' }))),
    rollbackMany: (orderIds) => Promise.allSettled(orderIds.map((orderId) => rollback.submit({ orderId, op: 'rollback' }))),
    // Candidates read without locks, then released in batch transactions by
    // the same conditional held -> released transition as Rollback.
    sweepExpired: async (batchSize) => {
      const candidates = await single.expiredCandidates(batchSize);
      if (candidates.length === 0) return 0;
      const { outcomes } = await serveIsolated(
        candidates.map((orderId): TransitionCall => ({ orderId, op: 'sweep' })),
        { ...common, run: (calls) => batches.transitionBatch(calls) },
      );
      let released = 0;
      let failure: unknown = null;
      outcomes.forEach((o, i) => {
        if (!o.ok) failure ??= o.error;
        else if (o.value.moved) {
          released++;
          log.info({ orderId: candidates[i] }, 'expired reservation returned to stock');
        }
      });
      if (failure !== null && released === 0) throw failure;
      if (failure !== null) log.warn({ err: failure }, 'some expired reservations could not be returned this time');
      return released;
    },
    coalesced: { reserve: reserve.stats, commit: commit.stats, rollback: rollback.stats },
    drain: async () => {
      await Promise.all([reserve.idle(), commit.idle(), rollback.idle()]);
    },
  };
}
