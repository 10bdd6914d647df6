import type { Broker } from '../../../common/src/amqp/broker';
import { type BatchConsumerSpec, type BatchItemOutcome, type Delivery, deadLetterHeaders, rejectionReason } from '../../../common/src/amqp/consume';
import { ORDER_FINALIZED_KEY, type Topology } from '../../../common/src/amqp/topology';
import type { Pool } from '../../../common/src/db';
import type { InventoryApi } from '../../../common/src/inventory-client';
import { isFinal } from '../../../common/src/errors';
import type { Logger } from '../../../common/src/logger';
import { MAX_ORDERS_PER_EVENT, ORDERS_HEADER, type OrderFinalizedEvent, type OrdersFinalizedEvent, type OrderSummary, type ProcessOrderJob, checkoutReplyOf, processOrderJob } from '../../../contracts/messages';
import { readOrder } from '../../../db/orders';
import { type OrderItem, finishOrder, readItems } from '../db/orders';
import { CONFIRMED, type Outcome } from '../domain/outcomes';
import type { PaymentProvider } from '../payment/provider';
import { type OrderRef, type OrderResult, refundReleased, runCheckoutBatch } from './checkout-batch';

export interface BatchSettings {
  /** Most messages of one batch. */
  maxBatch: number;
  /** Batches running at once: their payments overlap. */
  concurrency: number;
}

/**
 * The consumer of `<prefix>.checkout.process`, in adaptive batches: the
 * messages that wait while batches run are taken together (up to maxBatch),
 * and up to `concurrency` batches run at once, so thousands of orders can be
 * paying at the same time. Each message gets its own outcome: acked once its
 * order is final and answered, or retried / dead-lettered alone.
 */
export function processOrderConsumer(processor: OrderProcessor, queue: string, batching: BatchSettings): BatchConsumerSpec<ProcessOrderJob> {
  return {
    queue,
    schema: processOrderJob,
    maxBatch: batching.maxBatch,
    concurrency: batching.concurrency,
    logFields: (job) => (job.orders.length === 1 ? { orderId: job.orders[0]!.orderID } : { orders: job.orders.length }),
    itemsOf: (job) => job.orders.length,
    // maxBatch bounds the orders of a batch too (a message holds a cart manager's checkout batch).
    maxItems: { max: batching.maxBatch, hint: (raw) => Number(raw.properties.headers?.[ORDERS_HEADER] ?? 1) },
    handleBatch: (batch) => processor.handleBatch(batch),
  };
}

export interface ProcessorDeps {
  pool: Pool;
  inventory: InventoryApi;
  payment: PaymentProvider;
  broker: Pick<Broker, 'reply' | 'publish'>;
  /** events: order.finalized; the dead-letter exchange and processOrder: where one order of a batch message that can never succeed is parked alone. */
  topology: Pick<Topology, 'eventsExchange' | 'deadLetterExchange' | 'processOrder'>;
  crash: { CRASH_AT: string; CRASH_ONCE_FILE: string };
  /** The worker's own log, for lines about a whole batch (an order's lines go to its delivery's log). */
  log: Logger;
}

/**
 * Drives orders from pending to final. Every step is idempotent and keyed by
 * the order id (Reserve, charge, Commit, Rollback, the final transition), so a
 * redelivery, or two workers with the same message at once, converge to one
 * outcome: nothing is reserved, charged, committed or released twice. The
 * consumer above drives whole batches (./checkout-batch.ts); `process` is the
 * same path for one order; the reconciler (src/jobs/reconciler.ts) uses
 * `reconcile`.
 */
export class OrderProcessor {
  constructor(private readonly deps: ProcessorDeps) {}

  /**
   * One batch of process-order messages, each holding the orders of one
   * checkout batch of the cart manager (or one order, the earlier shape):
   * drive all their orders together (an order repeated in the batch is driven
   * once), answer each final order at its own reply address, announce the
   * confirmed ones, and say per message whether it is done. A message is done
   * when all its orders are; an order that failed for a reason that can pass
   * (or was not announced) has its message retried, where the orders already
   * final are cheap replays; an order that can never succeed (its row does not
   * exist) is parked alone in the dead-letter queue, as a message of its own,
   * and its neighbours go on. Rejects only when a step failed for the whole batch.
   */
  async handleBatch(batch: readonly Delivery<ProcessOrderJob>[]): Promise<BatchItemOutcome[]> {
    const perMessage = batch.map((d) =>
      d.message.orders.map((o) => {
        let log: Logger | null = null;
        return {
          orderId: o.orderID,
          // An order of a batch message carries its own reply address; a message of one order, the message's.
          reply: o.replyTo ? { replyTo: o.replyTo, correlationId: o.correlationId, bundled: o.bundled } : d.ctx,
          // The order's logger, made when first used (most orders log nothing: success is debug).
          get log(): Logger {
            log ??= d.message.orders.length === 1 ? d.ctx.log : d.ctx.log.child({ orderId: o.orderID });
            return log;
          },
        };
      }),
    );
    const results = await this.processBatch(perMessage.flat());
    for (const order of perMessage.flat()) {
      const r = results.get(order.orderId)!;
      if (r.ok) this.deps.broker.reply(order.reply, checkoutReplyOf(r.order), () => order.log);
    }
    // One event for the batch's confirmed orders (one entry per order however many messages it had).
    const confirmed = [...results.values()].flatMap((r) => (r.ok && r.order.status === 'confirmed' ? [{ order: r.order, items: r.items }] : []));
    let unannounced: unknown = null;
    try {
      await this.publishFinalized(confirmed);
    } catch (err) {
      unannounced = err;
    }
    return Promise.all(
      batch.map(async (_d, i): Promise<BatchItemOutcome> => {
        const orders = perMessage[i]!;
        let failure: unknown = null;
        for (const order of orders) {
          const r = results.get(order.orderId)!;
          if (r.ok) {
            // Not announced: the message is retried, finds its order final and announces it then.
            if (unannounced !== null && r.order.status === 'confirmed') failure ??= unannounced;
          } else if (orders.length > 1 && isFinal(r.err)) {
            // A message of one order is dead-lettered by the consumer; here only this order is.
            try {
              await this.park(order.orderId, r.err, order.log);
            } catch (err) {
              failure ??= err;
            }
          } else failure ??= r.err;
        }
        return failure === null ? { ok: true } : { ok: false, err: failure };
      }),
    );
  }

  /**
   * Park one order of a batch message in the dead-letter queue, as a message
   * of its own (the one-order shape, with the reason in its headers, as the
   * consumer parks a whole message), confirmed by the broker.
   */
  private async park(orderId: string, err: unknown, log: Logger): Promise<void> {
    const reason = rejectionReason(err);
    log.error({ reason }, 'order of a batch message rejected to the dead-letter queue');
    await this.deps.broker.publish(this.deps.topology.deadLetterExchange, this.deps.topology.processOrder, { orderID: orderId }, {
      persistent: true,
      messageId: `process:${orderId}`,
      headers: deadLetterHeaders(reason, this.deps.topology.processOrder),
    });
  }

  /** Drive the orders of one batch to their final states: order id -> its final state, or its own error. */
  processBatch(orders: readonly OrderRef[]): Promise<Map<string, OrderResult>> {
    return runCheckoutBatch(this.deps, orders);
  }

  /** One order, by the batch path: its final state, or the error that stopped it. */
  async process(orderId: string, log: Logger): Promise<OrderSummary> {
    const result = (await this.processBatch([{ orderId, log }])).get(orderId)!;
    if (!result.ok) throw result.err;
    return result.order;
  }

  /**
   * Finish an order stuck in pending (its message dead-lettered or lost). The
   * Rollback first makes sure no later Reserve can take stock for it (a
   * tombstone when it was never reserved); a committed sale is confirmed.
   * Null when there is nothing to reconcile: the order does not exist, or is
   * no longer pending (a worker finished and announced it meanwhile).
   */
  async reconcile(orderId: string, log: Logger): Promise<OrderSummary | null> {
    const order = await readOrder(this.deps.pool, orderId);
    if (!order || order.status !== 'pending') return null;
    const reservation = await this.deps.inventory.rollback(orderId);
    if (reservation.state === 'COMMITTED') return this.finish(order, CONFIRMED, log);
    const payment = await this.deps.payment.find(orderId);
    return this.finish(order, await refundReleased(this.deps, orderId, payment, reservation.release_reason, log), log);
  }

  private async finish(order: OrderSummary, outcome: Outcome, log: Logger): Promise<OrderSummary> {
    const final = await finishOrder(this.deps.pool, order.orderId, outcome);
    log.info({ status: final.status, code: final.code, totalCents: final.totalCents }, 'order finished');
    return final;
  }

  /** Reply to the waiting gateway (if any) and tell the cart manager; safe to repeat. */
  async announce(order: OrderSummary, ctx: { replyTo?: string; correlationId?: string }, log: Logger): Promise<void> {
    this.deps.broker.reply(ctx, checkoutReplyOf(order), log);
    if (order.status !== 'confirmed') return;
    await this.publishFinalized([{ order, items: await readItems(this.deps.pool, order.orderId) }]);
  }

  /**
   * order.finalized for confirmed orders, with their lines (the cart manager
   * removes them from the carts): one message for up to MAX_ORDERS_PER_EVENT
   * orders, each confirmed by the broker. Repeating it is safe: the cart
   * manager applies each order once.
   */
  private async publishFinalized(confirmed: readonly { order: OrderSummary; items: readonly OrderItem[] }[]): Promise<void> {
    const events: OrderFinalizedEvent[] = confirmed.map(({ order, items }) => ({
      orderID: order.orderId,
      clientID: order.clientId,
      status: 'confirmed',
      items: items.map((i) => ({ productID: i.productId, quantity: i.quantity })),
    }));
    const publishes: Promise<void>[] = [];
    for (let at = 0; at < events.length; at += MAX_ORDERS_PER_EVENT) {
      const orders = events.slice(at, at + MAX_ORDERS_PER_EVENT);
      const message: OrdersFinalizedEvent = { orders };
      publishes.push(this.deps.broker.publish(this.deps.topology.eventsExchange, ORDER_FINALIZED_KEY, message, { messageId: `finalized:${orders[0]!.orderID}:${orders.length}` }));
    }
    await Promise.all(publishes);
  }
}
