import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from '../../../common/src/db';
import { type NewPayment, type PaymentRecord, findPayment, findPayments, recordPayments, refundPayment } from '../db/payments';
import { sameTick } from '../db/same-tick';
import { isDeclined } from '../domain/payment-decision';
import type { PaymentProvider } from './provider';

export interface MockPaymentOptions {
  /** How long a charge takes (the provider's own latency). */
  latencyMs: number;
  /** Share of charges declined, 0..1. */
  declineRate: number;
  /** Seed of the verdicts: the same seed and order id always decide the same way. */
  seed: string;
}

/**
 * A mock payment provider: it takes `latencyMs`, decides with
 * domain/payment-decision, and keeps its record in the payments table
 * (db/payments.ts), so a charge is made at most once per order, even when two
 * workers or a crash and a retry run it, and its verdict is what was first
 * recorded. Each charge is one call of `latencyMs`; the table work of charges
 * made side by side (a batch) is shared: one read before, one multi-row
 * write and one read after (db/same-tick.ts).
 */
export class MockPayment implements PaymentProvider {
  private readonly recorded: (orderId: string) => Promise<PaymentRecord | null>;
  private readonly record: (payment: NewPayment) => Promise<PaymentRecord>;

  constructor(
    private readonly pool: Pool,
    private readonly options: MockPaymentOptions,
  ) {
    this.recorded = sameTick(async (orderIds: string[]) => {
      const found = await findPayments(pool, orderIds);
      return orderIds.map((id) => found.get(id) ?? null);
    });
    this.record = sameTick((payments: NewPayment[]) => recordPayments(pool, payments));
  }

  find(orderId: string): Promise<PaymentRecord | null> {
    return findPayment(this.pool, orderId);
  }

  findMany(orderIds: readonly string[]): Promise<Map<string, PaymentRecord>> {
    return findPayments(this.pool, orderIds);
  }

  async charge(orderId: string, amountCents: number): Promise<PaymentRecord> {
    const existing = await this.recorded(orderId);
    if (existing) return existing;
    // The provider's own latency: no transaction and no lock is open here.
    if (this.options.latencyMs > 0) await sleep(this.options.latencyMs);
    const declined = isDeclined(this.options.seed, orderId, this.options.declineRate);
    return this.record({
      orderId,
      amountCents,
      status: declined ? 'declined' : 'charged',
      reason: declined ? 'declined by the mock provider' : '',
    });
  }

  refund(orderId: string, reason: string): Promise<boolean> {
    return refundPayment(this.pool, orderId, reason);
  }
}
