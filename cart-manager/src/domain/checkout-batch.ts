import type { ErrorCode } from '../../../contracts/errors';
import type { CheckoutJob, OrderSummary } from '../../../contracts/messages';
import { type StockCounters, refusalFor, refusalMessage } from '../../../contracts/stock';
import { type CartLine, type PricedLine, type PricedProduct, priceCart } from './pricing';
import { rowKey } from './row-key';

/** What the cart manager did with a checkout job. */
export type CheckoutStep =
  /** The order is pending: hand it to the checkout manager (again, on a redelivery). */
  | { kind: 'process'; order: OrderSummary }
  /** The order is final already (refused here, or finished earlier): reply with it. */
  | { kind: 'final'; order: OrderSummary };

/**
 * Every unit the cart lacks is held by pending payments (ALL_RESERVED), and
 * the caller is willing to wait (waitOnHolds): nothing is recorded; decide it
 * again once those payments may have ended (handlers/checkout.ts).
 */
export interface HeldStep {
  kind: 'held';
  orderId: string;
}

export type BatchStep = CheckoutStep | HeldStep;

export function stepOf(order: OrderSummary): CheckoutStep {
  return order.status === 'pending' ? { kind: 'process', order } : { kind: 'final', order };
}

/** An order to insert: pending with its priced items, or a refusal recorded as a failed order. */
export type NewOrder =
  | { status: 'pending'; orderId: string; clientId: string; totalCents: number; lines: PricedLine[] }
  | { status: 'failed'; orderId: string; clientId: string; code: ErrorCode; error: string };

/** What a batch of checkout jobs found in the database, read in its transaction. */
export interface CheckoutState {
  /** Orders that exist already, by rowKey(order id): their jobs are replays. */
  existing: ReadonlyMap<string, OrderSummary>;
  /** The pending order of each client that has one, by rowKey(client id). */
  pendingByClient: ReadonlyMap<string, OrderSummary>;
  /** Each client's cart (locked), by rowKey(client id); absent means empty. */
  carts: ReadonlyMap<string, CartLine[]>;
  /** Prices, deal windows and (unlocked) counters of the products in those carts. */
  products: ReadonlyMap<string, PricedProduct>;
  /** The database clock, read once for the batch. */
  now: Date;
}

export interface DecideOptions {
  /** A checkout the stock refuses ALL_RESERVED is 'held' (decided later) rather than recorded as failed. */
  waitOnHolds?: boolean;
}

export const IN_PROGRESS_MESSAGE = 'another checkout of this client is in progress';

/**
 * Decide each checkout of a batch in arrival order, as if they had run one
 * after the other: an order that exists goes on from where it is (a replay,
 * or the same order twice in the batch); otherwise an empty cart, then a cart
 * that cannot be priced (deal closed, product gone), then another pending
 * order of the client (in the database, or created earlier in this batch),
 * then a cart the stock cannot serve now, is a refusal recorded as a failed
 * order; else the order is created pending, priced now. One pending order per
 * client is decided here, in memory; the unique index on
 * orders.pending_client_id stays the last word.
 *
 * The stock check is the losers' path of a sale: against the counters read
 * with the prices (no lock), each pending order of the batch takes its units
 * from what it leaves to the next, so a batch hands the checkout manager at
 * most as many units as were available, and the rest are refused here
 * (ALL_RESERVED while holds may come back, SOLD_OUT when none can) without a
 * Reserve under the product row's lock. It only refuses: a unit is granted by
 * the inventory manager's Reserve alone. With `waitOnHolds`, a checkout the
 * stock refuses ALL_RESERVED (its units held by pending payments, perhaps by
 * an earlier order of this very batch) is 'held' instead: not recorded, to be
 * decided again when those payments have ended, so its buyer hears SOLD_OUT,
 * or gets a unit a decline gave back, rather than "try again".
 */
export function decideCheckouts(jobs: readonly CheckoutJob[], state: CheckoutState): { steps: CheckoutStep[]; inserts: NewOrder[] };
export function decideCheckouts(jobs: readonly CheckoutJob[], state: CheckoutState, options: DecideOptions): { steps: BatchStep[]; inserts: NewOrder[] };
export function decideCheckouts(jobs: readonly CheckoutJob[], state: CheckoutState, options: DecideOptions = {}): { steps: BatchStep[]; inserts: NewOrder[] } {
  const steps: BatchStep[] = [];
  const inserts: NewOrder[] = [];
  const decided = new Map<string, CheckoutStep>();
  const pendingByClient = new Map(state.pendingByClient);
  const stock = new Map<string, StockCounters>();
  for (const [id, product] of state.products) if (product.stock) stock.set(id, { ...product.stock });
  for (const job of jobs) {
    const orderKey = rowKey(job.orderID);
    const existing = state.existing.get(orderKey);
    const earlier = existing ? stepOf(existing) : decided.get(orderKey);
    if (earlier) {
      steps.push(earlier);
      continue;
    }
    const order = decideOne(job, state, pendingByClient, stock);
    if (options.waitOnHolds && order.status === 'failed' && order.code === 'ALL_RESERVED') {
      steps.push({ kind: 'held', orderId: job.orderID });
      continue;
    }
    if (order.status === 'pending') {
      pendingByClient.set(rowKey(job.clientID), summaryOf(order));
      takeUnits(stock, order.lines);
    }
    inserts.push(order);
    const step = stepOf(summaryOf(order));
    decided.set(orderKey, step);
    steps.push(step);
  }
  return { steps, inserts };
}

function decideOne(
  job: CheckoutJob,
  state: CheckoutState,
  pendingByClient: ReadonlyMap<string, OrderSummary>,
  stock: ReadonlyMap<string, StockCounters>,
): NewOrder {
  const refuse = (code: ErrorCode, error: string): NewOrder => ({ status: 'failed', orderId: job.orderID, clientId: job.clientID, code, error });
  const lines = state.carts.get(rowKey(job.clientID)) ?? [];
  if (lines.length === 0) return refuse('EMPTY_CART', 'the cart is empty');
  const pricing = priceCart(lines, state.products, state.now);
  if (!pricing.ok) return refuse(pricing.code, pricing.message);
  if (pendingByClient.has(rowKey(job.clientID))) return refuse('CHECKOUT_IN_PROGRESS', IN_PROGRESS_MESSAGE);
  for (const line of pricing.lines) {
    const counters = stock.get(line.productId);
    const code = counters ? refusalFor(counters, line.quantity) : null;
    if (code) return refuse(code, refusalMessage(code, line.productId, line.quantity, counters!));
  }
  return { status: 'pending', orderId: job.orderID, clientId: job.clientID, totalCents: pricing.totalCents, lines: pricing.lines };
}

/** A pending order's lines as the batch's next orders see them: taken from available, held. */
function takeUnits(stock: Map<string, StockCounters>, lines: readonly { productId: string; quantity: number }[]): void {
  for (const line of lines) {
    const counters = stock.get(line.productId);
    if (!counters) continue;
    counters.available -= line.quantity;
    counters.reserved += line.quantity;
  }
}

export function summaryOf(order: NewOrder): OrderSummary {
  return order.status === 'pending'
    ? { orderId: order.orderId, clientId: order.clientId, status: 'pending', code: '', error: '', totalCents: order.totalCents }
    : { orderId: order.orderId, clientId: order.clientId, status: 'failed', code: order.code, error: order.error, totalCents: 0 };
}
