import type { ErrorCode } from '../../../contracts/errors';
import type { CheckoutJob, OrderSummary } from '../../../contracts/messages';
import { type CartLine, type PricedLine, type PricedProduct, priceCart } from './pricing';
import { rowKey } from './row-key';

/** What the cart manager did with a checkout job. */
export type CheckoutStep =
  /** The order is pending: hand it to the checkout manager (again, on a redelivery). */
  | { kind: 'process'; order: OrderSummary }
  /** The order is final already (refused here, or finished earlier): reply with it. */
  | { kind: 'final'; order: OrderSummary };

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
  /** Prices and deal windows of the products in those carts. */
  products: ReadonlyMap<string, PricedProduct>;
  /** The database clock, read once for the batch. */
  now: Date;
}

export const IN_PROGRESS_MESSAGE = 'another checkout of this client is in progress';

/**
 * Decide each checkout of a batch in arrival order, as if they had run one
 * after the other: an order that exists goes on from where it is (a replay,
 * or the same order twice in the batch); otherwise an empty cart, then a cart
 * that cannot be priced (deal closed, product gone), then another pending
 * order of the client (in the database, or created earlier in this batch) is
 * a refusal recorded as a failed order; else the order is created pending,
 * priced now. One pending order per client is decided here, in memory; the
 * unique index on orders.pending_client_id stays the last word.
 */
export function decideCheckouts(jobs: readonly CheckoutJob[], state: CheckoutState): { steps: CheckoutStep[]; inserts: NewOrder[] } {
  const steps: CheckoutStep[] = [];
  const inserts: NewOrder[] = [];
  const decided = new Map<string, CheckoutStep>();
  const pendingByClient = new Map(state.pendingByClient);
  for (const job of jobs) {
    const orderKey = rowKey(job.orderID);
    const existing = state.existing.get(orderKey);
    const earlier = existing ? stepOf(existing) : decided.get(orderKey);
    if (earlier) {
      steps.push(earlier);
      continue;
    }
    const order = decideOne(job, state, pendingByClient);
    if (order.status === 'pending') pendingByClient.set(rowKey(job.clientID), summaryOf(order));
    inserts.push(order);
    const step = stepOf(summaryOf(order));
    decided.set(orderKey, step);
    steps.push(step);
  }
  return { steps, inserts };
}

function decideOne(job: CheckoutJob, state: CheckoutState, pendingByClient: ReadonlyMap<string, OrderSummary>): NewOrder {
  const refuse = (code: ErrorCode, error: string): NewOrder => ({ status: 'failed', orderId: job.orderID, clientId: job.clientID, code, error });
  const lines = state.carts.get(rowKey(job.clientID)) ?? [];
  if (lines.length === 0) return refuse('EMPTY_CART', 'the cart is empty');
  const pricing = priceCart(lines, state.products, state.now);
  if (!pricing.ok) return refuse(pricing.code, pricing.message);
  if (pendingByClient.has(rowKey(job.clientID))) return refuse('CHECKOUT_IN_PROGRESS', IN_PROGRESS_MESSAGE);
  return { status: 'pending', orderId: job.orderID, clientId: job.clientID, totalCents: pricing.totalCents, lines: pricing.lines };
}

export function summaryOf(order: NewOrder): OrderSummary {
  return order.status === 'pending'
    ? { orderId: order.orderId, clientId: order.clientId, status: 'pending', code: '', error: '', totalCents: order.totalCents }
    : { orderId: order.orderId, clientId: order.clientId, status: 'failed', code: order.code, error: order.error, totalCents: 0 };
}
