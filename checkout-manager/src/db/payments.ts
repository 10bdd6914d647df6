import type { Pool, ResultSetHeader, RowDataPacket } from '../../../common/src/db';
import type { PaymentStatus } from '../domain/outcomes';

/**
 * The payments table (primary key order_id): the durable record of a charge.
 * The row *is* the charge: the first verdict recorded for an order stands, so a
 * crash and a retry, or two workers, never charge twice. The provider that
 * decides the verdict is in src/payment/.
 */

export type { PaymentStatus };

export interface PaymentRecord {
  orderId: string;
  amountCents: number;
  status: PaymentStatus;
}

export async function findPayment(pool: Pool, orderId: string): Promise<PaymentRecord | null> {
  const [rows] = await pool.execute<RowDataPacket[]>('SELECT order_id, amount_cents, status FROM payments WHERE order_id = ?', [orderId]);
  const row = rows[0];
  return row ? { orderId: row.order_id as string, amountCents: Number(row.amount_cents), status: row.status as PaymentStatus } : null;
}

/** The recorded charges of many orders in one query: order id -> record; an order never charged is absent. */
export async function findPayments(pool: Pool, orderIds: readonly string[]): Promise<Map<string, PaymentRecord>> {
  const payments = new Map<string, PaymentRecord>();
  if (orderIds.length === 0) return payments;
  const [rows] = await pool.query<RowDataPacket[]>('SELECT order_id, amount_cents, status FROM payments WHERE order_id IN (?)', [orderIds]);
  for (const row of rows) {
    payments.set(row.order_id as string, { orderId: row.order_id as string, amountCents: Number(row.amount_cents), status: row.status as PaymentStatus });
  }
  return payments;
}

/**
 * Record a verdict, unless one is recorded already (another attempt was
 * first: its verdict stands, no update on duplicate). Returns what is stored.
 */
export async function recordPayment(
  pool: Pool,
  payment: { orderId: string; amountCents: number; status: 'charged' | 'declined'; reason: string },
): Promise<PaymentRecord> {
  await pool.execute('INSERT INTO payments (order_id, amount_cents, status, reason) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE order_id = order_id', [
    payment.orderId,
    payment.amountCents,
    payment.status,
    payment.reason,
  ]);
  const stored = await findPayment(pool, payment.orderId);
  if (!stored) throw new Error(`payment of order ${payment.orderId} vanished`);
  return stored;
}

/** charged -> refunded, once: true when this call refunded it. */
export async function refundPayment(pool: Pool, orderId: string, reason: string): Promise<boolean> {
  const [res] = await pool.execute<ResultSetHeader>("UPDATE payments SET status = 'refunded', reason = ? WHERE order_id = ? AND status = 'charged'", [
    reason,
    orderId,
  ]);
  return res.affectedRows > 0;
}
