/**
 * The reservation state machine, as pure decisions: what Reserve, Commit,
 * Rollback and the sweeper do given what they found under their locks, and
 * what the caller is told. The repository reads the rows, asks here, and
 * writes what was decided (docs/design.md, "State machines").
 *
 *   (none) ──Reserve──► held ──Commit (before expires_at)──► committed
 *      │                 ├──Rollback──────────────────────► released (rollback)
 *      │                 └──sweeper, or Commit after expiry─► released (expired)
 *      └──Rollback of an order never reserved──────────────► released (rollback): a tombstone
 */
import { AppError } from '../../../common/src/errors';
import { type StockCounters, refusalFor, refusalMessage } from '../../../contracts/stock';
import type { StockItem } from './order-items';

/** A header's status in the database; its lines always carry the same one. */
export type HeaderStatus = 'held' | 'committed' | 'released';
export type ReservationState = 'HELD' | 'COMMITTED' | 'RELEASED';
export type ReleaseReason = '' | 'rollback' | 'expired';

/** An order's reservation header as read under its lock. */
export interface ReservationHeader {
  status: HeaderStatus;
  releaseReason: ReleaseReason;
  expiresAt: Date;
  /** expires_at is still ahead of the database clock (NOW(6)) at the time of the read. */
  live: boolean;
}

/** What a caller is told about an order's reservation. */
export interface ReservationView {
  orderId: string;
  state: ReservationState;
  releaseReason: ReleaseReason;
  /** Epoch ms while held; 0 otherwise. */
  expiresAtMs: number;
  items: StockItem[];
}

const STATE: Record<HeaderStatus, ReservationState> = { held: 'HELD', committed: 'COMMITTED', released: 'RELEASED' };

/** The reservation as it is: the answer to every idempotent replay. */
export function viewOf(orderId: string, header: ReservationHeader, items: StockItem[]): ReservationView {
  const state = STATE[header.status];
  return {
    orderId,
    state,
    releaseReason: header.status === 'released' ? header.releaseReason : '',
    expiresAtMs: state === 'HELD' ? header.expiresAt.getTime() : 0,
    items,
  };
}

export function committedView(orderId: string, items: StockItem[]): ReservationView {
  return { orderId, state: 'COMMITTED', releaseReason: '', expiresAtMs: 0, items };
}

export function releasedView(orderId: string, reason: Exclude<ReleaseReason, ''>, items: StockItem[]): ReservationView {
  return { orderId, state: 'RELEASED', releaseReason: reason, expiresAtMs: 0, items };
}

export type ReserveDecision =
  /** The order has a reservation already (a replay, or a tombstone): answer it as it is, take nothing. */
  | { kind: 'existing' }
  /** Some line cannot be held: nothing is held for any line. */
  | { kind: 'refuse'; error: AppError }
  /** Hold every line. */
  | { kind: 'hold' };

/**
 * Reserve, all or nothing, idempotent by order id. `products` holds the
 * counters of the requested products that exist (read under their row locks);
 * `items` are normalized (merged, sorted).
 */
export function decideReserve(
  existing: ReservationHeader | null,
  items: readonly StockItem[],
  products: ReadonlyMap<string, StockCounters>,
): ReserveDecision {
  if (existing) return { kind: 'existing' };
  const missing = items.filter((i) => !products.has(i.productId)).map((i) => i.productId);
  if (missing.length > 0) {
    return { kind: 'refuse', error: new AppError({ code: 'PRODUCT_NOT_FOUND', message: `unknown product: ${missing.join(', ')}` }) };
  }
  for (const item of items) {
    const counters = products.get(item.productId)!;
    const refusal = refusalFor(counters, item.quantity);
    if (refusal) {
      return { kind: 'refuse', error: new AppError({ code: refusal, message: refusalMessage(refusal, item.productId, item.quantity, counters) }) };
    }
  }
  return { kind: 'hold' };
}

export type CommitDecision =
  | { kind: 'not-found'; error: AppError }
  /** Committed or released already: answer it as it is (idempotent). */
  | { kind: 'existing' }
  /** Held but past its expiry: release it now (reason expired) and say so; the unit may be someone else's by now. */
  | { kind: 'expire' }
  /** Held and live: sell it. */
  | { kind: 'commit' };

export function decideCommit(orderId: string, header: ReservationHeader | null): CommitDecision {
  if (!header) return { kind: 'not-found', error: new AppError({ code: 'ORDER_NOT_FOUND', message: `order ${orderId} has no reservation` }) };
  if (header.status !== 'held') return { kind: 'existing' };
  return header.live ? { kind: 'commit' } : { kind: 'expire' };
}

export type RollbackDecision =
  /** Never reserved: write a released header, so a late Reserve cannot take stock for this order. */
  | { kind: 'tombstone' }
  /** Committed (a sale stays sold) or released already: answer it as it is. */
  | { kind: 'existing' }
  /** Held: give the units back. */
  | { kind: 'release' };

export function decideRollback(header: ReservationHeader | null): RollbackDecision {
  if (!header) return { kind: 'tombstone' };
  return header.status === 'held' ? { kind: 'release' } : { kind: 'existing' };
}

/** The sweeper releases a hold only if it is still held and past its expiry under the lock. */
export function shouldSweep(header: ReservationHeader | null): boolean {
  return header !== null && header.status === 'held' && !header.live;
}
