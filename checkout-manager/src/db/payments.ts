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

export interface NewPayment {
  orderId: string;
  amountCents: number;
  status: 'charged' | 'declined';
  reason: string;
}

/**
 * Record verdicts, in one multi-row statement, each unless one is recorded
 * already for its order (another attempt was first: its verdict stands, no
 * update on duplicate), then read back what is stored, in one query. Returns
 * one record per payment, in order.
 */
export async function recordPayments(pool: Pool, payments: readonly NewPayment[]): Promise<PaymentRecord[]> {
  if (payments.length === 0) return [];
  // Rows in key order: two such statements sharing orders lock them in the same order.
  const rows = [...payments].sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
  await pool.query('INSERT INTO payments (order_id, amount_cents, status, reason) VALUES ? ON DUPLICATE KEY UPDATE order_id = order_id', [
    rows.map((p) => [p.orderId, p.amountCents, p.status, p.reason]),
  ]);
  const stored = await findPayments(pool, payments.map((p) => p.orderId));
  return payments.map((p) => {
    const record = stored.get(p.orderId);
    if (!record) throw new Error(`payment of order ${p.orderId} vanished`);
    return record;
  });
}

/** charged -> refunded, once: true when this call refunded it. */
export async function refundPayment(pool: Pool, orderId: string, reason: string): Promise<boolean> {
  const [res] = await pool.execute<ResultSetHeader>("UPDATE payments SET status = 'refunded', reason = ? WHERE order_id = ? AND status = 'charged'", [
    reason,
    orderId,
  ]);
  return res.affectedRows > 0;
}
