import { setTimeout as sleep } from 'node:timers/promises';
import { type Pool, type ResultSetHeader, type RowDataPacket } from '../../../common/src/db';
import { isDeclined } from '../domain/payment-decision';

export type PaymentStatus = 'charged' | 'declined' | 'refunded';

export interface PaymentRecord {
  orderId: string;
  amountCents: number;
  status: PaymentStatus;
}

export interface MockPaymentOptions {
  latencyMs: number;
  declineRate: number;
  seed: string;
}

/**
 * A mock payment provider whose durable record is the payments table (primary
 * key order_id): a charge is made at most once per order, even when two workers
 * or a crash and a retry run it, and its verdict is what was first recorded.
 */
export class MockPayment {
  constructor(
    private readonly pool: Pool,
    private readonly options: MockPaymentOptions,
  ) {}

  async find(orderId: string): Promise<PaymentRecord | null> {
    const [rows] = await this.pool.execute<RowDataPacket[]>('SELECT order_id, amount_cents, status FROM payments WHERE order_id = ?', [orderId]);
    const row = rows[0];
    return row ? { orderId: row.order_id as string, amountCents: Number(row.amount_cents), status: row.status as PaymentStatus } : null;
  }

  async charge(orderId: string, amountCents: number): Promise<PaymentRecord> {
    const existing = await this.find(orderId);
    if (existing) return existing;
    // The provider's own latency: no transaction and no lock is open here.
    if (this.options.latencyMs > 0) await sleep(this.options.latencyMs);
    const declined = isDeclined(this.options.seed, orderId, this.options.declineRate);
    // If another attempt recorded first, its verdict stands (no update on duplicate).
    await this.pool.execute('INSERT INTO payments (order_id, amount_cents, status, reason) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE order_id = order_id', [
      orderId,
      amountCents,
      declined ? 'declined' : 'charged',
      declined ? 'declined by the mock provider' : '',
    ]);
    return (await this.find(orderId))!;
  }

  /** Give a charge back (the reservation expired while paying). Idempotent. */
  async refund(orderId: string): Promise<boolean> {
    const [res] = await this.pool.execute<ResultSetHeader>(
      "UPDATE payments SET status = 'refunded', reason = 'reservation expired before commit' WHERE order_id = ? AND status = 'charged'",
      [orderId],
    );
    return res.affectedRows > 0;
  }
}
