import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from './errors';

/**
 * The contracts between services, one schema each. Consumers validate every
 * message; one that does not parse goes straight to the dead-letter queue.
 */
const id = z.string().min(1).max(100);
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

export const processOrderJob = z.object({
  orderID: orderId,
});
export type ProcessOrderJob = z.infer<typeof processOrderJob>;

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
