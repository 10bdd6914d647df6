/**
 * The decisions of a coalesced batch, pure: many orders served in one
 * transaction, each decided exactly as its own call would have been, in arrival
 * order, against counters and reservation headers that move as the batch goes
 * (docs/design.md, "Batching without losing a guarantee"). The repository reads
 * the rows under their locks, asks here, and writes what was decided with one
 * multi-row statement per table.
 *
 * Equivalence with one call per transaction: deciding request i against the
 * counters and headers left by requests 0..i-1 of the batch is what the calls
 * would have seen had they run one after another in that order.
 */
import type { AppError } from '../../../common/src/errors';
import type { StockCounters } from '../../../contracts/stock';
import { type MovementKind, counterDeltas } from './movements';
import type { StockItem } from './order-items';
import {
  type ReservationHeader,
  type ReservationView,
  committedView,
  decideCommit,
  decideReserve,
  decideRollback,
  releasedView,
  shouldSweep,
  viewOf,
} from './reservation';

/**
 * The identity of an order id as the database compares it, by which a batch
 * matches headers and spots duplicates (a mismatch would insert both and fail
 * on the primary key). Since db/migrations/003 the id columns are NO PAD: the
 * id itself, byte for byte. (Under PAD SPACE 'a' and 'a ' were one key, and
 * this stripped trailing spaces; validateOrderId now refuses them anyway.)
 */
export function orderKey(orderId: string): string {
  return orderId;
}

/** One call's answer in a batch: its result, or the refusal that belongs to it alone. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: AppError };

export interface ReserveCall {
  orderId: string;
  /** Normalized: merged and sorted by product id. */
  items: StockItem[];
}

export type BatchReserveDecision =
  /** The order has a reservation in the database (a replay, or a tombstone): answer it as it is. */
  | { kind: 'existing' }
  /** The same order was held earlier in this batch: answer that hold, as a replay would. */
  | { kind: 'held-in-batch'; first: number }
  | { kind: 'refuse'; error: AppError }
  | { kind: 'hold' };

export interface ReservePlan {
  decisions: BatchReserveDecision[];
  /** One `reserve` movement per line of every hold, in arrival order. */
  movements: Movement[];
}

/**
 * Reserve for every call, in arrival order, all or nothing per order, against
 * the running counters. `headers` are the existing reservations of the batch's
 * orders by orderKey; `products` the counters of the requested products that
 * exist, read under their row locks (not changed here).
 */
export function decideReserveBatch(
  calls: readonly ReserveCall[],
  headers: ReadonlyMap<string, ReservationHeader>,
  products: ReadonlyMap<string, StockCounters>,
): ReservePlan {
  const running = new Map<string, StockCounters>([...products].map(([id, c]) => [id, { ...c }]));
  const heldAt = new Map<string, number>();
  const decisions: BatchReserveDecision[] = [];
  const movements: Movement[] = [];
  calls.forEach((call, index) => {
    const key = orderKey(call.orderId);
    if (headers.has(key)) return decisions.push({ kind: 'existing' });
    const first = heldAt.get(key);
    if (first !== undefined) return decisions.push({ kind: 'held-in-batch', first });
    const decision = decideReserve(null, call.items, running);
    if (decision.kind === 'refuse') return decisions.push({ kind: 'refuse', error: decision.error });
    for (const item of call.items) {
      running.set(item.productId, plus(running.get(item.productId)!, counterDeltas('reserve', item.quantity)));
      movements.push({ kind: 'reserve', orderId: call.orderId, productId: item.productId, quantity: item.quantity });
    }
    heldAt.set(key, index);
    return decisions.push({ kind: 'hold' });
  });
  return { decisions, movements };
}

/** Commit and Rollback as callers ask for them, and the sweeper's release of an expired hold. */
export type TransitionOp = 'commit' | 'rollback' | 'sweep';

export interface TransitionCall {
  orderId: string;
  op: TransitionOp;
}

export type TransitionDecision =
  /** Commit of an order with no reservation. */
  | { kind: 'not-found'; error: AppError }
  /** Nothing to do: answer the reservation as it is at this point of the batch. */
  | { kind: 'existing'; header: ReservationHeader }
  /** held -> committed. */
  | { kind: 'commit' }
  /** held -> released (expired): a Commit that found its hold past expiry, or the sweeper. */
  | { kind: 'expire' }
  /** held -> released (rollback). */
  | { kind: 'release' }
  /** Never reserved: a released header, so a late Reserve cannot take stock. */
  | { kind: 'tombstone' }
  /** The sweeper's candidate is no longer an expired hold (committed, released, gone): nothing to do. */
  | { kind: 'skip' };

/**
 * Each call against the header as the batch has left it so far: the first of
 * two calls on one order moves it, the second answers the new state (the
 * idempotent replay it would have been one transaction later). `headers` are
 * the reservations found under their locks, by orderKey.
 */
export function decideTransitionBatch(calls: readonly TransitionCall[], headers: ReadonlyMap<string, ReservationHeader>): TransitionDecision[] {
  const current = new Map(headers);
  return calls.map((call): TransitionDecision => {
    const key = orderKey(call.orderId);
    const header = current.get(key) ?? null;
    const decision = decideOne(call, header);
    const after = headerAfter(decision, header);
    if (after) current.set(key, after);
    return decision;
  });
}

function decideOne(call: TransitionCall, header: ReservationHeader | null): TransitionDecision {
  switch (call.op) {
    case 'commit': {
      const d = decideCommit(call.orderId, header);
      return d.kind === 'existing' ? { kind: 'existing', header: header! } : d;
    }
    case 'rollback': {
      const d = decideRollback(header);
      return d.kind === 'existing' ? { kind: 'existing', header: header! } : d;
    }
    case 'sweep':
      return shouldSweep(header) ? { kind: 'expire' } : { kind: 'skip' };
  }
}

function headerAfter(decision: TransitionDecision, before: ReservationHeader | null): ReservationHeader | null {
  const base = before ?? { status: 'released' as const, releaseReason: '' as const, expiresAt: new Date(0), live: false };
  switch (decision.kind) {
    case 'commit':
      return { ...base, status: 'committed', releaseReason: '' };
    case 'expire':
      return { ...base, status: 'released', releaseReason: 'expired' };
    case 'release':
    case 'tombstone':
      return { ...base, status: 'released', releaseReason: 'rollback' };
    default:
      return null;
  }
}

/** What the caller of one transition is told; `lines` are the order's reservation lines. */
export function transitionView(orderId: string, decision: Exclude<TransitionDecision, { kind: 'not-found' | 'skip' }>, lines: StockItem[]): ReservationView {
  switch (decision.kind) {
    case 'existing':
      return viewOf(orderId, decision.header, lines);
    case 'commit':
      return committedView(orderId, lines);
    case 'expire':
      return releasedView(orderId, 'expired', lines);
    case 'release':
      return releasedView(orderId, 'rollback', lines);
    case 'tombstone':
      return releasedView(orderId, 'rollback', []);
  }
}

/** The movement a transition makes on each of its lines, if any. */
export function movementOf(decision: TransitionDecision): MovementKind | null {
  switch (decision.kind) {
    case 'commit':
      return 'commit';
    case 'expire':
      return 'expire';
    case 'release':
      return 'release';
    default:
      return null;
  }
}

/** One stock_movements row. */
export interface Movement {
  kind: MovementKind;
  orderId: string | null;
  productId: string;
  quantity: number;
}

/**
 * The net change of each product's counters over many movements: the batch
 * updates each product row once. Products whose counters do not change are left out.
 */
export function netCounterChanges(movements: readonly Movement[]): Map<string, StockCounters> {
  const net = new Map<string, StockCounters>();
  for (const m of movements) {
    net.set(m.productId, plus(net.get(m.productId) ?? ZERO, counterDeltas(m.kind, m.quantity)));
  }
  for (const [id, d] of net) if (d.available === 0 && d.reserved === 0 && d.sold === 0) net.delete(id);
  return net;
}

const ZERO: StockCounters = { available: 0, reserved: 0, sold: 0 };

function plus(a: StockCounters, b: StockCounters): StockCounters {
  return { available: a.available + b.available, reserved: a.reserved + b.reserved, sold: a.sold + b.sold };
}
