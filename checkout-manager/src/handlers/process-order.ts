import type { Broker } from '../../../common/src/amqp/broker';
import { type CrashPoint, crashPoint } from '../../../common/src/crash';
import { AppError, type ErrorCode } from '../../../common/src/errors';
import type { InventoryApi, ReservationReply } from '../../../common/src/inventory-client';
import type { Logger } from '../../../common/src/logger';
import type { OrderFinalizedEvent } from '../../../contracts/messages';
import { readOrder } from '../../../db/orders';
import { type OrderSummary, checkoutReplyOf } from '../../../contracts/messages';
import { ORDER_FINALIZED_KEY, type Topology } from '../../../common/src/amqp/topology';
import { finishOrder, readItems } from '../db/orders';
import type { MockPayment } from '../db/payments';
import type { Pool } from '../../../common/src/db';

/** Refusals of Reserve that fail the order (anything else is retried). */
const REFUSALS = new Set<ErrorCode>(['SOLD_OUT', 'ALL_RESERVED', 'INSUFFICIENT_STOCK', 'PRODUCT_NOT_FOUND', 'INVALID_REQUEST']);

export interface ProcessorDeps {
  pool: Pool;
  inventory: InventoryApi;
  payment: MockPayment;
  broker: Broker;
  topology: Topology;
  crash: { CRASH_AT: string; CRASH_ONCE_FILE: string };
}

type Outcome = { status: 'confirmed' } | { status: 'failed'; code: ErrorCode; error: string };

/**
 * Drives one order from pending to final. Every step is idempotent and keyed by
 * the order id (Reserve, charge, Commit, Rollback, the final transition), so a
 * redelivery, or two workers with the same message at once, converge to one
 * outcome: nothing is reserved, charged, committed or released twice.
 */
export class OrderProcessor {
  constructor(private readonly deps: ProcessorDeps) {}

  async process(orderId: string, log: Logger): Promise<OrderSummary> {
    const order = await readOrder(this.deps.pool, orderId);
    // The cart manager commits an order before handing it over: no row means a bogus job.
    if (!order) throw new AppError({ code: 'ORDER_NOT_FOUND', message: `order ${orderId} does not exist` });
    if (order.status !== 'pending') return order; // replay: already final

    const items = await readItems(this.deps.pool, orderId);
    let reservation: ReservationReply;
    try {
      reservation = await this.deps.inventory.reserve(orderId, items);
    } catch (err) {
      if (err instanceof AppError && REFUSALS.has(err.code)) {
        return this.finish(order, { status: 'failed', code: err.code, error: err.message }, log);
      }
      throw err;
    }
    this.crash('checkout.after-reserve');
    return this.settle(order, reservation, log);
  }

  /** From a reservation in any state to the order's final state. */
  private async settle(order: OrderSummary, reservation: ReservationReply, log: Logger): Promise<OrderSummary> {
    const orderId = order.orderId;
    if (reservation.state === 'COMMITTED') return this.finish(order, { status: 'confirmed' }, log);
    if (reservation.state === 'RELEASED') return this.finishReleased(order, reservation, log);

    const payment = await this.deps.payment.charge(orderId, order.totalCents);
    this.crash('checkout.after-charge');
    if (payment.status !== 'charged') {
      await this.deps.inventory.rollback(orderId);
      return payment.status === 'declined'
        ? this.finish(order, { status: 'failed', code: 'PAYMENT_DECLINED', error: 'the payment was declined' }, log)
        : this.finish(order, { status: 'failed', code: 'RESERVATION_EXPIRED', error: 'the reservation expired before the payment completed; refunded' }, log);
    }
    const committed = await this.deps.inventory.commit(orderId);
    this.crash('checkout.after-commit');
    if (committed.state === 'COMMITTED') return this.finish(order, { status: 'confirmed' }, log);
    return this.finishReleased(order, committed, log);
  }

  /** The hold went back to stock: whatever was charged is refunded. */
  private async finishReleased(order: OrderSummary, reservation: ReservationReply, log: Logger): Promise<OrderSummary> {
    const payment = await this.deps.payment.find(order.orderId);
    if (payment?.status === 'declined') {
      return this.finish(order, { status: 'failed', code: 'PAYMENT_DECLINED', error: 'the payment was declined' }, log);
    }
    if (payment?.status === 'charged' && (await this.deps.payment.refund(order.orderId))) {
      log.warn({ amountCents: payment.amountCents }, 'payment refunded: the reservation expired before commit');
    }
    const why =
      reservation.release_reason === 'expired' || payment
        ? 'the reservation expired before the payment completed' + (payment ? '; the payment was refunded' : '')
        : 'the order could not be processed in time; nothing was charged';
    return this.finish(order, { status: 'failed', code: 'RESERVATION_EXPIRED', error: why }, log);
  }

  /**
   * Finish an order stuck in pending (its message dead-lettered or lost). The
   * Rollback first makes sure no later Reserve can take stock for it (a
   * tombstone when it was never reserved); a committed sale is confirmed.
   */
  async reconcile(orderId: string, log: Logger): Promise<OrderSummary> {
    const order = await readOrder(this.deps.pool, orderId);
    if (!order || order.status !== 'pending') return order!;
    const reservation = await this.deps.inventory.rollback(orderId);
    if (reservation.state === 'COMMITTED') return this.finish(order, { status: 'confirmed' }, log);
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
