import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from './errors';
import { withIdRule } from './ids';

/**
 * The contracts between services, one schema each. Consumers validate every
 * message; one that does not parse goes straight to the dead-letter queue.
 */
/** A client or product id: the rule every entry applies (ids.ts); a message breaking it is dead-lettered. */
const id = withIdRule(z.string());
const orderId = z.string().uuid();
const codeOrEmpty = z.union([z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]), z.literal('')]);

export const addToCartJob = z.object({
  /** Idempotency key of the request: a redelivery replays the stored outcome. */
  requestID: z.string().min(1).max(100),
  clientID: id,
  productID: id,
  quantity: z.number().int().min(1),
  /**
   * Epoch ms after which the gateway has stopped waiting and answered 503: a
   * job still queued then is dropped unapplied (load shedding; the client was
   * told to retry). Optional so older publishers keep working.
   */
  deadline: z.number().int().positive().optional(),
});
export type AddToCartJob = z.infer<typeof addToCartJob>;

export const checkoutJob = z.object({
  orderID: orderId,
  clientID: id,
});
export type CheckoutJob = z.infer<typeof checkoutJob>;

/** Most orders one checkout.process message carries (a cart manager's checkout batch is at most 1,000 jobs). */
export const MAX_ORDERS_PER_JOB = 1_000;

/** Where a process-order job's answer goes: the gateway's reply address and the request's correlation id. */
const replyAddress = {
  replyTo: z.string().min(1).max(255).optional(),
  correlationId: z.string().min(1).max(255).optional(),
  /** The request came in a bundle (common/src/amqp/bundle.ts): its answer may go back in one too. */
  bundled: z.boolean().optional(),
};

/**
 * checkout.process: the pending orders of one checkout batch of the cart
 * manager in one message, each with the address its answer goes to (every
 * order was its own HTTP request), rather than one message per order: a third
 * of the broker's quorum-queue messages in a sale where every buyer wins. A
 * message of the earlier shape, one order whose reply address is in the
 * message's properties, is still read, as a list of one without an address,
 * so a queue that holds some when the services are upgraded drains.
 */
const processOrdersShape = z.object({ orders: z.array(z.object({ orderID: orderId, ...replyAddress })).min(1).max(MAX_ORDERS_PER_JOB) });
// The earlier shape becomes a list of one before it is checked, so a bad one is named as the list's
// (`orders.0.orderID: ...`), not as a failed union.
export const processOrderJob = z.preprocess(
  (body) => (typeof body === 'object' && body !== null && !('orders' in body) ? { orders: [{ orderID: (body as { orderID?: unknown }).orderID }] } : body),
  processOrdersShape,
);
/** The header of a checkout.process message that says how many orders it holds (a hint for batching, read before parsing). */
export const ORDERS_HEADER = 'x-orders';

/** What a consumer reads, and what the cart manager sends: a list of orders. */
export type ProcessOrderJob = z.output<typeof processOrdersShape>;

export const orderFinalizedEvent = z.object({
  orderID: orderId,
  clientID: id,
  status: z.enum(['confirmed', 'failed']),
  items: z.array(z.object({ productID: id, quantity: z.number().int().min(1) })),
});
export type OrderFinalizedEvent = z.infer<typeof orderFinalizedEvent>;

/** Most orders one order.finalized message carries (a checkout batch is at most 1,000 orders). */
export const MAX_ORDERS_PER_EVENT = 1_000;

/**
 * order.finalized: the confirmed orders of one checkout batch in one message,
 * rather than one message per order (a tenth of the broker's messages in a
 * sale where every buyer wins). A message of the earlier shape, one order by
 * itself, is still read, as a list of one, so a queue that holds some when
 * the services are upgraded drains.
 */
export const ordersFinalizedEvent = z.union([
  z.object({ orders: z.array(orderFinalizedEvent).min(1).max(MAX_ORDERS_PER_EVENT) }),
  orderFinalizedEvent.transform((order) => ({ orders: [order] })),
]);
export type OrdersFinalizedEvent = z.output<typeof ordersFinalizedEvent>;

export const addToCartReply = z.object({
  ok: z.boolean(),
  code: codeOrEmpty,
  error: z.string(),
});
export type AddToCartReply = z.infer<typeof addToCartReply>;

export const orderStatus = z.enum(['pending', 'confirmed', 'failed']);
export type OrderStatus = z.infer<typeof orderStatus>;

export const checkoutReply = z.object({
  orderID: orderId,
  status: orderStatus,
  code: codeOrEmpty,
  error: z.string(),
  totalCents: z.number().int().min(0),
});
export type CheckoutReply = z.infer<typeof checkoutReply>;

/** An order as the workers see it when they answer for it. */
export interface OrderSummary {
  orderId: string;
  clientId: string;
  status: OrderStatus;
  code: ErrorCode | '';
  error: string;
  totalCents: number;
}

export function checkoutReplyOf(order: OrderSummary): CheckoutReply {
  return { orderID: order.orderId, status: order.status, code: order.code, error: order.error, totalCents: order.totalCents };
}

/** Most product levels one stock-levels message carries. */
export const MAX_LEVELS_PER_MESSAGE = 1_000;

const counter = z.number().int().min(0);

/**
 * stock-levels (a fanout exchange, not persisted): what the inventory manager
 * knows of some products' counters right after a transaction moved them, and
 * every product's in a heartbeat. `version` is the product's stock_version,
 * written in the transaction that moved the counters, so it only grows: a
 * receiver keeps the highest it has seen and ignores an older level arriving
 * late (docs/design.md, "Pushed stock levels").
 */
export const stockLevelsMessage = z.object({
  levels: z
    .array(z.object({ productID: id, available: counter, reserved: counter, sold: counter, version: z.number().int().min(0) }))
    .max(MAX_LEVELS_PER_MESSAGE),
});
export type StockLevelsMessage = z.infer<typeof stockLevelsMessage>;
