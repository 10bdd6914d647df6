import type { Broker } from '../../../common/src/amqp/broker';
import type { ConsumerSpec } from '../../../common/src/amqp/consume';
import { ORDER_FINALIZED_KEY, type Topology } from '../../../common/src/amqp/topology';
import { type CrashPoint, crashPoint } from '../../../common/src/crash';
import type { Pool } from '../../../common/src/db';
import { AppError } from '../../../common/src/errors';
import type { InventoryApi, ReservationReply } from '../../../common/src/inventory-client';
import type { Logger } from '../../../common/src/logger';
import { type OrderFinalizedEvent, type OrderSummary, type ProcessOrderJob, checkoutReplyOf, processOrderJob } from '../../../contracts/messages';
import { readOrder } from '../../../db/orders';
import { finishOrder, readItems } from '../db/orders';
import { CONFIRMED, type Outcome, releasedOutcome, unchargedOutcome } from '../domain/outcomes';
import { failsOrder } from '../domain/refusals';
import type { PaymentProvider } from '../payment/provider';

/** The consumer of `<prefix>.checkout.process`: drive the order to its final state, then answer for it. */
export function processOrderConsumer(processor: OrderProcessor, queue: string): ConsumerSpec<ProcessOrderJob> {
  return {
    queue,
    schema: processOrderJob,
    logFields: (job) => ({ orderId: job.orderID }),
    handler: async (job, ctx) => {
      const order = await processor.process(job.orderID, ctx.log);
      await processor.announce(order, ctx, ctx.log);
    },
  };
}

export interface ProcessorDeps {
  pool: Pool;
  inventory: InventoryApi;
  payment: PaymentProvider;
  broker: Pick<Broker, 'reply' | 'publish'>;
  topology: Pick<Topology, 'eventsExchange'>;
  crash: { CRASH_AT: string; CRASH_ONCE_FILE: string };
}

/**
 * Drives one order from pending to final. Every step is idempotent and keyed by
 * the order id (Reserve, charge, Commit, Rollback, the final transition), so a
 * redelivery, or two workers with the same message at once, converge to one
 * outcome: nothing is reserved, charged, committed or released twice. The
 * consumer above and the reconciler (src/jobs/reconciler.ts) both use it.
 */
export class OrderProcessor {
  constructor(private readonly deps: ProcessorDeps) {}

  async process(orderId: string, log: Logger): Promise<OrderSummary> {
    const order = await readOrder(this.deps.pool, orderId);
    // The cart manager commits an order before handing it over: no row means a bogus job.
    if (!order) throw new AppError({ code: 'ORDER_NOT_FOUND', message: `order ${orderId} does not exist` });
    if (order.status === 'failed') await this.refundStrayCharge(order, log);
    if (order.status !== 'pending') return order; // replay: already final

    const items = await readItems(this.deps.pool, orderId);
    let reservation: ReservationReply;
    try {
      reservation = await this.deps.inventory.reserve(orderId, items);
    } catch (err) {
      if (err instanceof AppError && failsOrder(err.code)) return this.refuse(order, err, log);
      throw err;
    }
    this.crash('checkout.after-reserve');
    return this.settle(order, reservation, log);
  }

  /**
   * Reserve refused the order: fail it with the refusal, after a Rollback. The
   * same order is often processed twice at once (a client retry with its
   * Idempotency-Key, a redelivery to another worker); without the Rollback's
   * tombstone, a hold given back between this refusal and the other worker's
   * Reserve would let that worker reserve, charge and commit an order failed
   * here. With it, that Reserve finds the order released. If the other
   * worker's Reserve came first, the Rollback gives its hold back (its Commit
   * then finds it released and refunds); if it has committed already, the
   * order was sold, and is confirmed.
   */
  private async refuse(order: OrderSummary, refusal: AppError, log: Logger): Promise<OrderSummary> {
    const reservation = await this.deps.inventory.rollback(order.orderId);
    if (reservation.state === 'COMMITTED') return this.finish(order, CONFIRMED, log);
    return this.finish(order, { status: 'failed', code: refusal.code, error: refusal.message }, log);
  }

  /** From a reservation in any state to the order's final state. */
  private async settle(order: OrderSummary, reservation: ReservationReply, log: Logger): Promise<OrderSummary> {
    const orderId = order.orderId;
    if (reservation.state === 'COMMITTED') return this.finish(order, CONFIRMED, log);
    if (reservation.state === 'RELEASED') return this.finishReleased(order, reservation, log);

    const payment = await this.deps.payment.charge(orderId, order.totalCents);
    this.crash('checkout.after-charge');
    if (payment.status !== 'charged') {
      await this.deps.inventory.rollback(orderId);
      return this.finish(order, unchargedOutcome(payment.status), log);
    }
    const committed = await this.deps.inventory.commit(orderId);
    this.crash('checkout.after-commit');
    if (committed.state === 'COMMITTED') return this.finish(order, CONFIRMED, log);
    return this.finishReleased(order, committed, log);
  }

  /** The hold went back to stock: whatever was charged is refunded. */
  private async finishReleased(order: OrderSummary, reservation: ReservationReply, log: Logger): Promise<OrderSummary> {
    const payment = await this.deps.payment.find(order.orderId);
    if (payment?.status === 'charged' && (await this.deps.payment.refund(order.orderId, 'reservation expired before commit'))) {
      log.warn({ amountCents: payment.amountCents }, 'payment refunded: the reservation expired before commit');
    }
    return this.finish(order, releasedOutcome(payment?.status ?? null, reservation.release_reason), log);
  }

  /**
   * A failed order keeps no charge, yet one can land on it: the reconciler
   * fails an order while a worker is inside `charge`, and that worker dies
   * before its Commit finds the hold released and refunds. The redelivered
   * message finds the order final; this refunds the charge before the replay
   * answers (idempotent: the same conditional refund as above). The Rollback
   * makes sure nothing stays held or gets reserved for the order, and says
   * whether its unit was sold: a failed order with a committed reservation is
   * not this case, and is left alone, loudly.
   */
  private async refundStrayCharge(order: OrderSummary, log: Logger): Promise<void> {
    const payment = await this.deps.payment.find(order.orderId);
    if (payment?.status !== 'charged') return;
    const reservation = await this.deps.inventory.rollback(order.orderId);
    if (reservation.state === 'COMMITTED') {
      log.error({ amountCents: payment.amountCents, code: order.code }, 'failed order has a committed reservation and a charge: not refunded');
      return;
    }
    if (await this.deps.payment.refund(order.orderId, 'the order had failed when the charge landed')) {
      log.warn({ amountCents: payment.amountCents, code: order.code }, 'payment refunded: it landed on an order already failed');
    }
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
    return this.finishReleased(order, reservation, log);
  }

  private async finish(order: OrderSummary, outcome: Outcome, log: Logger): Promise<OrderSummary> {
    const final = await finishOrder(this.deps.pool, order.orderId, outcome);
    log.info({ status: final.status, code: final.code, totalCents: final.totalCents }, 'order finished');
    return final;
  }

  /** Reply to the waiting gateway and tell the cart manager; safe to repeat. */
  async announce(order: OrderSummary, ctx: { replyTo?: string; correlationId?: string }, log: Logger): Promise<void> {
    this.deps.broker.reply(ctx, checkoutReplyOf(order), log);
    if (order.status !== 'confirmed') return;
    const items = await readItems(this.deps.pool, order.orderId);
    const event: OrderFinalizedEvent = {
      orderID: order.orderId,
      clientID: order.clientId,
      status: 'confirmed',
      items: items.map((i) => ({ productID: i.productId, quantity: i.quantity })),
    };
    await this.deps.broker.publish(this.deps.topology.eventsExchange, ORDER_FINALIZED_KEY, event, { messageId: `finalized:${order.orderId}` });
  }

  private crash(point: CrashPoint): void {
    crashPoint(point, this.deps.crash);
  }
}
