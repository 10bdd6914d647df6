import type { PaymentRecord } from '../db/payments';

/**
 * What the order processor needs of a payment provider. Every call is keyed by
 * the order id and idempotent: a retried charge returns the first verdict, a
 * second refund changes nothing.
 */
export interface PaymentProvider {
  /** The recorded charge of this order, or null when none was attempted. */
  find(orderId: string): Promise<PaymentRecord | null>;
  /** The recorded charges of many orders at once (one read): order id -> record; never charged: absent. */
  findMany(orderIds: readonly string[]): Promise<Map<string, PaymentRecord>>;
  charge(orderId: string, amountCents: number): Promise<PaymentRecord>;
  /** Give a charge back; true when this call refunded it. */
  refund(orderId: string, reason: string): Promise<boolean>;
}
