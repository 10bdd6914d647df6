import type { Broker } from '../../../common/src/amqp/broker';
import type { ConsumerSpec } from '../../../common/src/amqp/consume';
import { crashPoint } from '../../../common/src/crash';
import { type Pool, type PoolConnection, RetryTransaction, isDuplicateKey, withTransaction } from '../../../common/src/db';
import type { Logger } from '../../../common/src/logger';
import type { ErrorCode } from '../../../contracts/errors';
import { type CheckoutJob, type OrderSummary, type ProcessOrderJob, checkoutJob, checkoutReplyOf } from '../../../contracts/messages';
import { readOrder } from '../../../db/orders';
import { lockCart } from '../db/carts';
import { insertFailedOrder, insertPendingOrder } from '../db/orders';
import { databaseNow, readPricing } from '../db/products';
import { priceCart } from '../domain/pricing';

export interface CheckoutDeps {
  pool: Pool;
  broker: Broker;
  /** Where a pending order goes next: `<prefix>.checkout.process`. */
  processOrderQueue: string;
  crash: { CRASH_AT: string; CRASH_ONCE_FILE: string };
}

/**
 * The consumer of `<prefix>.cart.checkout`: make the order, then either answer
 * a refusal here or hand the pending order to the checkout manager.
 */
export function checkoutConsumer(deps: CheckoutDeps, queue: string): ConsumerSpec<CheckoutJob> {
  return {
    queue,
    schema: checkoutJob,
    logFields: (job) => ({ orderId: job.orderID, clientId: job.clientID }),
    handler: async (job, ctx) => {
      const step = await createOrder(deps.pool, ctx.log, job);
      if (step.kind === 'final') {
        ctx.log.info({ status: step.order.status, code: step.order.code }, 'checkout answered by the cart manager');
        deps.broker.reply(ctx, checkoutReplyOf(step.order), ctx.log);
        return;
      }
      crashPoint('cart.after-order-commit', deps.crash);
      // Published (and confirmed) before the ack: a crash in between is healed
      // by the redelivery, which finds the pending order and publishes again.
      const next: ProcessOrderJob = { orderID: job.orderID };
      await deps.broker.sendToQueue(deps.processOrderQueue, next, {
        replyTo: ctx.replyTo,
        correlationId: ctx.correlationId,
        messageId: `process:${job.orderID}`,
      });
      ctx.log.info({ totalCents: step.order.totalCents }, 'order created, handed to the checkout manager');
    },
  };
}

/** What the cart manager did with a checkout job. */
export type CheckoutStep =
  /** The order is pending: hand it to the checkout manager (again, on a redelivery). */
  | { kind: 'process'; order: OrderSummary }
  /** The order is final already (refused here, or finished earlier): reply with it. */
  | { kind: 'final'; order: OrderSummary };

function stepOf(order: OrderSummary): CheckoutStep {
  return order.status === 'pending' ? { kind: 'process', order } : { kind: 'final', order };
}

/**
 * Turn the client's cart into an order, in one transaction: lock the cart rows,
 * insert the order (pending) with its items priced now. The order id is the
 * idempotency key: a redelivery finds the order and goes on from where it is.
 * A refused checkout (empty cart, one already in flight, deal closed) is
 * recorded as a failed order, so every order id the gateway handed out resolves.
 */
export async function createOrder(pool: Pool, log: Logger, job: CheckoutJob): Promise<CheckoutStep> {
  const existing = await readOrder(pool, job.orderID);
  if (existing) return stepOf(existing);

  try {
    return await withTransaction(pool, (conn) => insertOrder(conn, job), { log });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // Two unique keys can refuse the insert: the order id, or the one pending
    // order per client (uq_orders_pending_client). The data says which: the
    // conflicting insert has committed (ours waited for it), so an order with
    // this id exists if and only if it was the same order, inserted
    // concurrently by another worker: go on from what that insert recorded.
    const order = await readOrder(pool, job.orderID);
    if (order) return stepOf(order);
    // Otherwise another order of this client is pending: record the refusal so
    // this order id resolves too.
    return withTransaction(pool, (conn) => refuse(conn, job, 'CHECKOUT_IN_PROGRESS', 'another checkout of this client is in progress'), { log });
  }
}

async function insertOrder(conn: PoolConnection, job: CheckoutJob): Promise<CheckoutStep> {
  const lines = await lockCart(conn, job.clientID);
  if (lines.length === 0) return refuse(conn, job, 'EMPTY_CART', 'the cart is empty');

  const products = await readPricing(conn, lines.map((l) => l.productId));
  const pricing = priceCart(lines, products, await databaseNow(conn));
  if (!pricing.ok) return refuse(conn, job, pricing.code, pricing.message);

  await insertPendingOrder(conn, { orderId: job.orderID, clientId: job.clientID, totalCents: pricing.totalCents, lines: pricing.lines });
  return {
    kind: 'process',
    order: { orderId: job.orderID, clientId: job.clientID, status: 'pending', code: '', error: '', totalCents: pricing.totalCents },
  };
}

/** Record a refused checkout as a failed order. */
async function refuse(conn: PoolConnection, job: CheckoutJob, code: ErrorCode, error: string): Promise<CheckoutStep> {
  try {
    await insertFailedOrder(conn, { orderId: job.orderID, clientId: job.clientID, code, error });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // The same order id was inserted concurrently (a duplicate delivery): go on
    // from whatever that insert recorded.
    const order = await readOrder(conn, job.orderID);
    if (!order) throw new RetryTransaction('order inserted concurrently');
    return stepOf(order);
  }
  return { kind: 'final', order: { orderId: job.orderID, clientId: job.clientID, status: 'failed', code, error, totalCents: 0 } };
}
