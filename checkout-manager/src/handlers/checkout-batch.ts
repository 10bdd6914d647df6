import { type CrashPoint, crashPoint } from '../../../common/src/crash';
import { AppError } from '../../../common/src/errors';
import type { BatchOutcome } from '../../../common/src/inventory-client';
import type { Logger } from '../../../common/src/logger';
import type { OrderSummary } from '../../../contracts/messages';
import { type OrderItem, finishOrders, readItemsOf, readOrders } from '../db/orders';
import type { PaymentRecord } from '../db/payments';
import { CONFIRMED, type Outcome, type PaymentStatus, releasedOutcome, unchargedOutcome } from '../domain/outcomes';
import { failsOrder } from '../domain/refusals';
import type { ProcessorDeps } from './process-order';

/** One order of a batch: its id and the log of (the first of) its deliveries. */
export interface OrderRef {
  orderId: string;
  log: Logger;
}

/**
 * What became of one order of a batch: its final state (and its lines, for
 * the order.finalized event), or the error that stopped it. An error is that
 * order's alone: its message is retried or dead-lettered, its neighbours go on.
 */
export type OrderResult = { ok: true; order: OrderSummary; items: OrderItem[] } | { ok: false; err: unknown };

/**
 * Drive the orders of one batch to their final states, each exactly as the
 * order processor drives one (docs/design.md, "Checkout, step by step"), with
 * one call per step for the whole batch instead of one per order:
 *
 *   read the orders (one query) -> replays of final orders; a failed one with
 *     a charged payment: Rollback (one call), then refund
 *   read their items (one query) -> ONE reserveBatch for the pending ones
 *   refusals -> ONE rollbackBatch (the tombstones), failed with the refusal
 *     (confirmed if the Rollback finds the sale committed by another worker)
 *   charge every held order at once (Promise.all: the payments overlap)
 *   ONE commitBatch for the charged, ONE rollbackBatch for the declined
 *   released holds: refund what was charged
 *   the final transitions in one statement, the final states read back.
 *
 * Every step is keyed by the order id and idempotent, so a redelivered
 * batch, two workers with overlapping batches, or a crash at any line converge
 * to one outcome per order. An error that belongs to one order (its refusal
 * being undone failed, its charge threw...) stops that order only; an error
 * of a whole step (the inventory manager or the database unreachable) rejects
 * the batch, and the consumer retries its messages one by one.
 */
export async function runCheckoutBatch(deps: ProcessorDeps, refs: readonly OrderRef[]): Promise<Map<string, OrderResult>> {
  return new CheckoutBatch(deps, refs).run();
}

class CheckoutBatch {
  /** The batch's order ids, once each, in arrival order (Reserve serves them in that order). */
  private readonly ids: string[] = [];
  /** Each order's ref: its log is made when first used. */
  private readonly refs = new Map<string, OrderRef>();
  private readonly results = new Map<string, OrderResult>();
  /** Final states decided and not yet written. */
  private readonly outcomes = new Map<string, Outcome>();
  private orders = new Map<string, OrderSummary>();
  private items = new Map<string, OrderItem[]>();

  constructor(
    private readonly deps: ProcessorDeps,
    refs: readonly OrderRef[],
  ) {
    for (const ref of refs) {
      if (this.refs.has(ref.orderId)) continue;
      this.ids.push(ref.orderId);
      this.refs.set(ref.orderId, ref);
    }
  }

  async run(): Promise<Map<string, OrderResult>> {
    if (this.ids.length === 0) return this.results;
    this.orders = await readOrders(this.deps.pool, this.ids);
    for (const id of this.ids) {
      // The cart manager commits an order before handing it over: no row means a bogus job.
      if (!this.orders.has(id)) this.fail(id, new AppError({ code: 'ORDER_NOT_FOUND', message: `order ${id} does not exist` }));
    }
    const found = this.ids.filter((id) => this.orders.has(id));
    const failed = found.filter((id) => this.orders.get(id)!.status === 'failed');
    const pending = found.filter((id) => this.orders.get(id)!.status === 'pending');
    const [items, payments] = await Promise.all([
      readItemsOf(this.deps.pool, found.filter((id) => this.orders.get(id)!.status !== 'failed')),
      failed.length > 0 ? this.deps.payment.findMany(failed) : new Map<string, PaymentRecord>(),
    ]);
    this.items = items;
    await this.refundStrayCharges(failed.filter((id) => payments.get(id)?.status === 'charged'), payments);
    // Replays: already final, answered as they are.
    for (const id of found) if (this.orders.get(id)!.status !== 'pending' && !this.results.has(id)) this.done(id, this.orders.get(id)!);

    if (pending.length > 0) await this.drive(pending);
    await this.finish();
    for (const id of this.ids) if (!this.results.has(id)) this.fail(id, new Error(`order ${id} was left without an outcome`));
    return this.results;
  }

  /** Pending orders, from Reserve to a decided outcome. */
  private async drive(pending: string[]): Promise<void> {
    const reserved = await this.deps.inventory.reserveBatch(pending.map((id) => ({ orderId: id, items: this.items.get(id) ?? [] })));
    const refused: { id: string; refusal: AppError }[] = [];
    const held: string[] = [];
    const released: { id: string; reason: string }[] = [];
    pending.forEach((id, i) => {
      const r = reserved[i]!;
      if (r instanceof AppError) {
        if (failsOrder(r.code)) refused.push({ id, refusal: r });
        else this.fail(id, r);
      } else if (r.state === 'COMMITTED') this.decide(id, CONFIRMED);
      else if (r.state === 'RELEASED') released.push({ id, reason: r.release_reason });
      else held.push(id);
    });
    if (reserved.some((r) => !(r instanceof AppError))) this.crash('checkout.after-reserve');

    await this.refuse(refused);
    const { charged, uncharged } = await this.charge(held);
    released.push(...(await this.commit(charged, uncharged)));
    await this.settleReleased(released);
  }

  /**
   * Reserve refused these orders: Rollback them all (ONE call), then fail
   * each with its refusal. The Rollback leaves a tombstone, so a second
   * worker of the same order cannot reserve a hold that came back meanwhile
   * and sell to an order failed here; if that worker reserved first, its hold
   * is given back (its Commit then finds it released and refunds); if it has
   * committed already, the sale stands and the order is confirmed.
   */
  private async refuse(refused: { id: string; refusal: AppError }[]): Promise<void> {
    if (refused.length === 0) return;
    const rolled = await this.deps.inventory.rollbackBatch(refused.map((r) => r.id));
    refused.forEach(({ id, refusal }, i) => {
      const r = rolled[i]!;
      if (r instanceof AppError) return this.fail(id, r);
      this.decide(id, r.state === 'COMMITTED' ? CONFIRMED : { status: 'failed', code: refusal.code, error: refusal.message });
    });
  }

  /** Charge every held order at once: each charge is one call of the provider's latency, and they overlap. */
  private async charge(held: string[]): Promise<{ charged: string[]; uncharged: { id: string; status: Exclude<PaymentStatus, 'charged'> }[] }> {
    const charged: string[] = [];
    const uncharged: { id: string; status: Exclude<PaymentStatus, 'charged'> }[] = [];
    if (held.length === 0) return { charged, uncharged };
    const settled = await Promise.allSettled(held.map((id) => this.deps.payment.charge(id, this.orders.get(id)!.totalCents)));
    settled.forEach((s, i) => {
      const id = held[i]!;
      if (s.status === 'rejected') return this.fail(id, s.reason);
      const status = s.value.status;
      if (status === 'charged') charged.push(id);
      else uncharged.push({ id, status });
    });
    if (settled.some((s) => s.status === 'fulfilled')) this.crash('checkout.after-charge');
    return { charged, uncharged };
  }

  /**
   * ONE Commit for the charged orders and ONE Rollback for those whose charge
   * did not go through (declined, or found refunded), side by side. Returns
   * the charged orders whose hold had gone back to stock meanwhile.
   */
  private async commit(charged: string[], uncharged: { id: string; status: Exclude<PaymentStatus, 'charged'> }[]): Promise<{ id: string; reason: string }[]> {
    const none = Promise.resolve<BatchOutcome[]>([]);
    const [committed, rolled] = await Promise.all([
      charged.length > 0 ? this.deps.inventory.commitBatch(charged) : none,
      uncharged.length > 0 ? this.deps.inventory.rollbackBatch(uncharged.map((u) => u.id)) : none,
    ]);
    if (charged.length > 0) this.crash('checkout.after-commit');
    const released: { id: string; reason: string }[] = [];
    charged.forEach((id, i) => {
      const r = committed[i]!;
      if (r instanceof AppError) this.fail(id, r);
      else if (r.state === 'COMMITTED') this.decide(id, CONFIRMED);
      else released.push({ id, reason: r.release_reason });
    });
    uncharged.forEach(({ id, status }, i) => {
      const r = rolled[i]!;
      if (r instanceof AppError) this.fail(id, r);
      else this.decide(id, unchargedOutcome(status));
    });
    return released;
  }

  /** The holds went back to stock (expired, swept, rolled back by the reconciler): refund what was charged. */
  private async settleReleased(released: { id: string; reason: string }[]): Promise<void> {
    if (released.length === 0) return;
    const payments = await this.deps.payment.findMany(released.map((r) => r.id));
    await Promise.all(
      released.map(async ({ id, reason }) => {
        try {
          this.decide(id, await refundReleased(this.deps, id, payments.get(id) ?? null, reason, this.log(id)));
        } catch (err) {
          this.fail(id, err);
        }
      }),
    );
  }

  /**
   * Failed orders that carry a charge (it landed after the reconciler failed
   * the order, and its worker died before refunding): ONE Rollback, which
   * makes sure nothing stays held or gets reserved for them and says whether
   * the unit was sold, then refund. A failed order whose reservation is
   * committed is not this case: left alone, loudly.
   */
  private async refundStrayCharges(stray: string[], payments: Map<string, PaymentRecord>): Promise<void> {
    if (stray.length === 0) return;
    const rolled = await this.deps.inventory.rollbackBatch(stray);
    await Promise.all(
      stray.map(async (id, i) => {
        const r = rolled[i]!;
        if (r instanceof AppError) return this.fail(id, r);
        const log = this.log(id);
        const { amountCents } = payments.get(id)!;
        const code = this.orders.get(id)!.code;
        if (r.state === 'COMMITTED') {
          log.error({ amountCents, code }, 'failed order has a committed reservation and a charge: not refunded');
          return;
        }
        try {
          if (await this.deps.payment.refund(id, 'the order had failed when the charge landed')) {
            log.warn({ amountCents, code }, 'payment refunded: it landed on an order already failed');
          }
        } catch (err) {
          this.fail(id, err);
        }
      }),
    );
  }

  /** Write every decided outcome at once; the first writer of each order wins. */
  private async finish(): Promise<void> {
    if (this.outcomes.size === 0) return;
    const finals = await finishOrders(this.deps.pool, this.outcomes, this.deps.log);
    const finished: Record<string, number> = {};
    for (const id of this.outcomes.keys()) {
      const final = finals.get(id);
      if (!final) this.fail(id, new Error(`order ${id} vanished`));
      else if (final.status === 'pending') this.fail(id, new Error(`order ${id} could not be finished`));
      else {
        // Per order at debug, one info line per batch: under a burst a line per order cost 8% of the worker's CPU.
        if (this.deps.log.isLevelEnabled('debug')) this.log(id).debug({ status: final.status, code: final.code, totalCents: final.totalCents }, 'order finished');
        const key = final.code ? `${final.status}:${final.code}` : final.status;
        finished[key] = (finished[key] ?? 0) + 1;
        this.done(id, final);
      }
    }
    this.deps.log.info({ size: this.ids.length, finished }, 'checkout batch finished');
  }

  private decide(id: string, outcome: Outcome): void {
    this.outcomes.set(id, outcome);
  }

  private done(id: string, order: OrderSummary): void {
    this.results.set(id, { ok: true, order, items: this.items.get(id) ?? [] });
  }

  private fail(id: string, err: unknown): void {
    this.results.set(id, { ok: false, err });
  }

  private log(id: string): Logger {
    return this.refs.get(id)!.log;
  }

  private crash(point: CrashPoint): void {
    crashPoint(point, this.deps.crash);
  }
}

/**
 * The hold of an order went back to stock: refund the charge if there is one
 * (once: the refund is conditional), and say how the order ends. Shared by
 * the batch and the reconciler.
 */
export async function refundReleased(
  deps: Pick<ProcessorDeps, 'payment'>,
  orderId: string,
  payment: PaymentRecord | null,
  releaseReason: string,
  log: Logger,
): Promise<Outcome> {
  if (payment?.status === 'charged' && (await deps.payment.refund(orderId, 'reservation expired before commit'))) {
    log.warn({ amountCents: payment.amountCents }, 'payment refunded: the reservation expired before commit');
  }
  return releasedOutcome(payment?.status ?? null, releaseReason);
}
